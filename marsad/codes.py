"""Code lists of the output contract (../shared/CODEBOOK.md): PLOVER event types and ACLED
event, sub-event and disorder types. The ACLED table is the data file
marsad/data/events/acled_types.tsv; the event stage and the store both read it from here."""
from __future__ import annotations

from functools import lru_cache

from marsad.data import data_path
from marsad.text.lexicon import read_tsv

PLOVER_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
                "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")


@lru_cache(maxsize=1)
def acled_subtypes() -> dict[str, tuple[str, str]]:
    """ACLED sub-event type → (event type, disorder type)."""
    return {c[0]: (c[1], c[2]) for c in read_tsv(data_path("events", "acled_types.tsv"))}


def acled_types() -> dict[str, tuple[str, ...]]:
    """ACLED event type → its sub-event types, in the table's order."""
    out: dict[str, list[str]] = {}
    for sub, (event_type, _) in acled_subtypes().items():
        out.setdefault(event_type, []).append(sub)
    return {t: tuple(subs) for t, subs in out.items()}
