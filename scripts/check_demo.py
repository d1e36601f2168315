#!/usr/bin/env python3
"""Compare the events of `marsad demo --json` with the expected list kept in the repo.

    marsad demo --json | python scripts/check_demo.py tests/fixtures/demo_events.tsv
    marsad demo --json | python scripts/check_demo.py tests/fixtures/demo_events.tsv --write   # after a reviewed change

One line per event: PLOVER type, ACLED sub-event type, actor, recipient, place, date, anchor quote.
Standard library only, so CI can run it against the installed package (.ci/run). Exits 1 on a difference.
"""
from __future__ import annotations

import json
import sys

HEADER = "# plover\tacled\tactor\trecipient\tplace\tdate\tanchor"


def event_lines(record: dict) -> list[str]:
    def name(actors):
        return actors[0].get("name") or actors[0].get("text") if actors else "-"

    lines = []
    for e in record["events"]:
        cells = [e["plover"]["type"] + "/" + (e["plover"].get("mode") or "-"),
                 (e.get("acled") or {}).get("sub_event_type") or "-",
                 name(e.get("actors")), name(e.get("recipients")),
                 (e.get("location") or {}).get("name") or "-",
                 (e.get("date") or {}).get("value") or "-",
                 e["anchor"]["quote"]]
        lines.append("\t".join(str(c).replace("\t", " ").replace("\n", " ") for c in cells))
    return lines


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[0]
    got = event_lines(json.load(sys.stdin))
    if "--write" in argv:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join([HEADER] + got) + "\n")
        print(f"wrote {len(got)} events to {path}")
        return 0
    with open(path, encoding="utf-8") as f:
        want = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
    if got == want:
        print(f"demo events: {len(got)} as expected ({path})")
        return 0
    print(f"demo events differ from {path}:", file=sys.stderr)
    for line in want:
        if line not in got:
            print("  missing:    " + line, file=sys.stderr)
    for line in got:
        if line not in want:
            print("  unexpected: " + line, file=sys.stderr)
    if sorted(got) == sorted(want):
        print("  (same events, different order)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
