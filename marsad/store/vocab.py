"""Code lists the store validates corrections against and the exports map to."""
from __future__ import annotations

from marsad.codes import PLOVER_TYPES, acled_subtypes, acled_types

__all__ = ["PLOVER_TYPES", "ACLED_TYPES", "SUB_TO_TYPE", "disorder_type", "COUNTRIES", "ALPHA3_TO_NAME",
           "ADMIN1_NAMES", "SECTOR_NAMES"]
from marsad.data import data_path
from marsad.text.lexicon import read_tsv

ACLED_TYPES: dict[str, tuple[str, ...]] = acled_types()  # event type -> sub-event types
SUB_TO_TYPE = {sub: t for t, subs in ACLED_TYPES.items() for sub in subs}
_DISORDER_BY_TYPE: dict[str, str] = {}
for _t, _d in acled_subtypes().values():  # an event type's own disorder is its first sub-type's
    _DISORDER_BY_TYPE.setdefault(_t, _d)


def disorder_type(event_type: str | None, sub_event_type: str | None = None) -> str | None:
    """ACLED's disorder type for a sub-event type, else for its event type (data/events/acled_types.tsv)."""
    if sub_event_type in acled_subtypes():
        return acled_subtypes()[sub_event_type][1]
    return _DISORDER_BY_TYPE.get(event_type)


# alpha-2 -> (alpha-3, ISO numeric, ACLED country name, ACLED region); data/store/acled_countries.tsv
COUNTRIES: dict[str, tuple[str, int, str, str]] = {
    r[0]: (r[1], int(r[2]), r[3], r[4]) for r in read_tsv(data_path("store", "acled_countries.tsv"))}
ALPHA3_TO_NAME = {a3: name for a3, _, name, _ in COUNTRIES.values()}
# ISO 3166-2 -> ACLED admin1 name; data/store/acled_admin1.tsv
ADMIN1_NAMES = {r[0]: r[1] for r in read_tsv(data_path("store", "acled_admin1.tsv"))}
# PLOVER sector -> English words; data/store/sector_names.tsv
SECTOR_NAMES = {r[0]: r[1] for r in read_tsv(data_path("store", "sector_names.tsv"))}
