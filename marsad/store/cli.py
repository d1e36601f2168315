"""`marsad ingest` and `marsad export` (registered in marsad/cli.py).

Kept import-light: SQLAlchemy and the pipeline load inside the commands.
Every command that touches the store takes `--db URL` (or MARSAD_DB), default
sqlite:///marsad.db; `postgresql://user:pw@host/db` uses psycopg 3.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

DB_HELP = "database URL: sqlite:///FILE or postgresql://user:pw@host/db (env MARSAD_DB)"
DEFAULT_DB = "sqlite:///marsad.db"


def _open(db: str):
    from rich.console import Console

    from marsad.store.store import Store, StoreError

    try:
        return Store(db)
    except StoreError as e:
        Console(stderr=True).print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)


def ingest_command(
    inputs: List[Path] = typer.Argument(..., help=".txt, .jsonl(.gz), .html files or directories of them"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="MARSAD_DB", help=DB_HELP),
    published: Optional[str] = typer.Option(None, help="publication date for inputs that give none (YYYY-MM-DD)"),
    records: bool = typer.Option(False, "--records", help="inputs are document records from `marsad extract` "
                                                          "(JSON Lines): store them without extracting again"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="progress bar on stderr"),
    ner: bool = typer.Option(True, "--ner/--no-ner", help="use the shipped NER model"),
    stories: bool = typer.Option(True, "--stories/--no-stories",
                                 help="then cluster the new documents into stories and merge their events "
                                      "across articles (incremental; `marsad stories` does it later)"),
):
    """Extract articles and store documents and events (same text twice: nothing changes).

    Documents the pipeline cannot process are kept in the store's ingest_errors
    table and listed at the end; the exit status is 1 when there were any.
    """
    from rich.console import Console
    from rich.table import Table

    err = Console(stderr=True)
    missing = [str(p) for p in inputs if not p.exists() and str(p) != "-"]  # "-": JSON Lines on stdin
    if missing:
        err.print(f"[red]error:[/red] no such file: {', '.join(missing)}")
        raise typer.Exit(2)
    if published:
        from marsad.pipeline import BadDocument, parse_published

        try:
            parse_published(published)
        except BadDocument:
            err.print(f"[red]error:[/red] --published {published!r} is not a date like 2024-12-06")
            raise typer.Exit(2)
    store = _open(db)
    pipeline = None
    if not records:
        from marsad.pipeline import Pipeline

        pipeline = Pipeline(ner=ner)
    try:
        s = store.ingest(list(inputs), published=published, progress=progress, pipeline=pipeline,
                         records=records, console=err, stories=stories)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/yellow]: documents stored so far are kept")
        raise typer.Exit(130)
    counts = store.counts()
    err.print(f"{s.seen} documents read: {s.added_docs} added, {s.replaced} re-extracted, {s.unchanged} unchanged, "
              f"{len(s.errors)} errors; {s.added_events} events added")
    err.print(f"store {store.safe_url}: {counts['documents']} documents, {counts['events']} events, "
              f"{counts['corrections']} corrections, {counts['errors']} ingest errors")
    if s.errors:
        t = Table("doc_id", "error", title="not stored (kept in table ingest_errors)")
        for doc_id, e in s.errors[:50]:
            t.add_row(doc_id, e)
        if len(s.errors) > 50:
            t.add_row("…", f"{len(s.errors) - 50} more")
        err.print(t)
    store.close()
    raise typer.Exit(1 if s.errors else 0)


def export_command(
    output: Path = typer.Option(..., "-o", "--output", help="file to write"),
    format: str = typer.Option("acled-csv", "--format", "-f", help="acled-csv | plover-jsonl | geojson | parquet"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="MARSAD_DB", help=DB_HELP),
    start: Optional[str] = typer.Option(None, help="events on or after YYYY-MM-DD"),
    end: Optional[str] = typer.Option(None, help="events on or before YYYY-MM-DD"),
    plover_type: Optional[str] = typer.Option(None, "--plover-type", help="e.g. ASSAULT"),
    acled_type: Optional[str] = typer.Option(None, "--acled-type", help="ACLED event type or sub-event type"),
    country: Optional[str] = typer.Option(None, help="ISO alpha-2 of the event location, e.g. SY"),
    admin1: Optional[str] = typer.Option(None, help="ISO 3166-2, e.g. SY-HM"),
    bbox: Optional[str] = typer.Option(None, help="minlon,minlat,maxlon,maxlat"),
    actor: Optional[str] = typer.Option(None, help="actor name/text substring or ISO3 country"),
    q: Optional[str] = typer.Option(None, "--q", help="Arabic full text (normalized match)"),
    status: Optional[str] = typer.Option(None, help="machine | corrected | wrong"),
    include_wrong: bool = typer.Option(False, "--include-wrong", help="also events analysts marked wrong"),
    merged: bool = typer.Option(False, "--merged", help="acled-csv: one row per merged event (every source in "
                                                       "`source` and `notes`) instead of one per article's event"),
):
    """Export stored events as ACLED CSV, PLOVER JSON Lines, GeoJSON or Parquet."""
    from rich.console import Console

    err = Console(stderr=True)
    from marsad.store.export import FORMATS, export
    from marsad.store.store import EventFilters

    if format not in FORMATS:
        err.print(f"[red]error:[/red] --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    try:
        filters = EventFilters.parse(start=start, end=end, plover_type=plover_type, acled_type=acled_type,
                                     country=country, admin1=admin1, bbox=bbox, actor=actor, q=q, status=status)
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    if output.parent and not output.parent.exists():
        err.print(f"[red]error:[/red] no such directory: {output.parent}")
        raise typer.Exit(2)
    store = _open(db)
    try:
        if merged:
            from marsad.store.export import export_merged_acled

            if format != "acled-csv":
                err.print("[red]error:[/red] --merged goes with --format acled-csv")
                raise typer.Exit(2)
            store.update_stories()
            n = export_merged_acled(store, output)
        else:
            n = export(store, format, output, filters, include_wrong=include_wrong or status == "wrong")
    except OSError as e:
        err.print(f"[red]error:[/red] cannot write {output}: {e.strerror or e}")
        raise typer.Exit(2)
    finally:
        store.close()
    err.print(f"{n} events → {output} ({format})")
