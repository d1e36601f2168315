"""A readable summary of one document record, for `marsad demo` (rich tables)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from marsad.records import Document


def _actor(actors) -> str:
    return "; ".join(f"{a.name or a.text} ({a.country or '?'}/{a.sector or '?'})" for a in actors) or "—"


def print_summary(doc: Document, console: Console) -> None:
    console.print(f"[bold]{doc.title or doc.doc_id}[/bold]  published {doc.published or '?'}  "
                  f"({len(doc.text)} characters, {len(doc.sentences)} sentences)")
    events = Table(title=f"Events ({len(doc.events)})", show_lines=True)
    for col in ("type", "who → whom", "where", "when", "evidence"):
        events.add_column(col, overflow="fold")
    for e in doc.events:
        size = ", ".join(f"{k} {v}" for k, v in e.size.model_dump().items() if v is not None)
        kind = f"{e.plover.type}/{e.plover.mode or '-'}" + (f"\n{e.acled.sub_event_type}" if e.acled else "")
        who = _actor(e.actors) + (f"\n→ {_actor(e.recipients)}" if e.recipients else "")
        evidence = e.anchor.quote + (f"\n({size})" if size else "")
        events.add_row(kind, who, f"{e.location.name} (p{e.location.geo_precision})" if e.location else "—",
                       e.date.value if e.date else "—", evidence)
    console.print(events)
    places = Table(title="Places")
    for col in ("text", "GeoNames", "admin1", "precision"):
        places.add_column(col)
    seen = set()
    for p in doc.mentions.places:
        if (p.geonameid, p.geo_precision) not in seen:
            seen.add((p.geonameid, p.geo_precision))
            places.add_row(p.text, f"{p.name} #{p.geonameid}", p.admin1 or "—", str(p.geo_precision))
    console.print(places)
    times = Table(title="Dates")
    for col in ("text", "value", "precision"):
        times.add_column(col)
    for t in doc.mentions.times:
        times.add_row(t.text, t.value, str(t.time_precision))
    console.print(times)
    said = Table(title="Who said what")
    for col in ("speaker", "via", "quote"):
        said.add_column(col, overflow="fold")
    for s in doc.statements:
        said.add_row(s.speaker + (" (anonymous)" if s.anonymous else ""), s.via or "—", s.quote)
    console.print(said)
