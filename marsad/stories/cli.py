"""`marsad stories`: list stored stories with their articles (registered in marsad/cli.py)."""
from __future__ import annotations

from typing import Optional

import typer

from marsad.store.cli import DB_HELP, DEFAULT_DB, _open


def stories_command(
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="MARSAD_DB", help=DB_HELP),
    limit: int = typer.Option(20, min=1, max=10_000, help="stories to list, newest first"),
    offset: int = typer.Option(0, min=0),
    min_docs: int = typer.Option(2, "--min-docs", min=1, help="only stories with at least this many articles"),
    kind: Optional[str] = typer.Option(None, help="story | bulletin"),
    update: bool = typer.Option(True, "--update/--no-update",
                                help="first cluster documents and merge events not yet assigned"),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines instead of a table"),
):
    """List stories (one happening with its follow-ups) with their articles, and merged-event counts."""
    import json

    from rich.console import Console
    from rich.table import Table

    from marsad.store.stories import list_stories

    store = _open(db)
    try:
        if update:
            changed = store.update_stories()
            Console(stderr=True).print(f"{changed['documents']} documents clustered, {changed['events']} events merged")
        total, items = list_stories(store, limit=limit, offset=offset, kind=kind, min_docs=min_docs)
    finally:
        store.close()
    if as_json:
        for it in items:
            print(json.dumps(it, ensure_ascii=False))
        return
    t = Table("story", "kind", "days", "articles", title=f"{total} stories with ≥ {min_docs} articles")
    for it in items:
        days = it["first_day"] or "?"
        if it["last_day"] and it["last_day"] != it["first_day"]:
            days += " – " + it["last_day"]
        arts = "\n".join(f"{d['published'][:10] if d['published'] else '?'} {d['doc_id']}"
                         f"{' (duplicate of ' + d['duplicate_of'] + ')' if d['duplicate_of'] else ''}: {d['title'] or ''}"
                         for d in it["documents"])
        t.add_row(it["story_id"], it["kind"], days, arts)
    Console().print(t)
