"""The labelled pairs of ``data/stories/labels``: reading them and finding their events in records.

Article pairs name two corpus doc ids. Event pairs name an event by its
anchor (``start:end:PLOVER type`` in the original text), not by an extractor
key: a later extractor may cut the anchor a little differently or place the
event elsewhere, and the label must still find it. An event of a document
record matches a labelled anchor when it has the same PLOVER type and its
anchor span overlaps the labelled one (the largest overlap wins).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

LABELS_DIR = Path(__file__).resolve().parents[1] / "data" / "stories" / "labels"
ARTICLE_PAIRS = LABELS_DIR / "article_pairs.tsv"
EVENT_PAIRS = LABELS_DIR / "event_pairs.tsv"


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    ptype: str

    @classmethod
    def parse(cls, value: str) -> "Anchor":
        start, end, ptype = value.split(":", 2)
        return cls(int(start), int(end), ptype)

    def __str__(self) -> str:
        return f"{self.start}:{self.end}:{self.ptype}"


@dataclass(frozen=True)
class EventPair:
    doc_a: str
    anchor_a: Anchor
    doc_b: str
    anchor_b: Anchor
    same: int
    sampled_as: str = ""


def _rows(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        yield line.split("\t")


def read_article_pairs(path: Path = ARTICLE_PAIRS) -> list[tuple[str, str, int]]:
    return [(f[0], f[1], int(f[2])) for f in _rows(path)]


def read_event_pairs(path: Path = EVENT_PAIRS) -> list[EventPair]:
    return [EventPair(f[0], Anchor.parse(f[1]), f[2], Anchor.parse(f[3]), int(f[4]), f[5] if len(f) > 5 else "")
            for f in _rows(path)]


def find_event(events: list, anchor: Anchor) -> Optional[int]:
    """Index of the event (dicts with ``plover.type`` and ``anchor.span``) that the labelled anchor names, or None."""
    best, best_overlap = None, 0
    for i, ev in enumerate(events):
        if (ev.get("plover") or {}).get("type") != anchor.ptype:
            continue
        span = (ev.get("anchor") or {}).get("span") or []
        if len(span) != 2:
            continue
        overlap = min(span[1], anchor.end) - max(span[0], anchor.start)
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    return best
