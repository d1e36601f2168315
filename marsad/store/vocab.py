"""Code lists the store validates corrections against and the exports map to."""
from __future__ import annotations

PLOVER_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
                "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")

# ACLED event type -> sub-event types (ACLED codebook 2023+)
ACLED_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": ("Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": ("Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"),
}
SUB_TO_TYPE = {sub: t for t, subs in ACLED_TYPES.items() for sub in subs}


def disorder_type(event_type: str | None, sub_event_type: str | None = None) -> str | None:
    """ACLED's disorder type for an event type."""
    if event_type in ("Battles", "Explosions/Remote violence", "Violence against civilians"):
        return "Political violence"
    if event_type == "Riots":
        return "Political violence; Demonstrations" if sub_event_type == "Mob violence" else "Demonstrations"
    if event_type == "Protests":
        return "Demonstrations"
    if event_type == "Strategic developments":
        return "Strategic developments"
    return None


# alpha-2 -> (alpha-3, ISO numeric, ACLED country name, ACLED region)
COUNTRIES: dict[str, tuple[str, int, str, str]] = {
    "SY": ("SYR", 760, "Syria", "Middle East"),
    "IQ": ("IRQ", 368, "Iraq", "Middle East"),
    "LB": ("LBN", 422, "Lebanon", "Middle East"),
    "JO": ("JOR", 400, "Jordan", "Middle East"),
    "IL": ("ISR", 376, "Israel", "Middle East"),
    "PS": ("PSE", 275, "Palestine", "Middle East"),
    "TR": ("TUR", 792, "Turkey", "Middle East"),
    "IR": ("IRN", 364, "Iran", "Middle East"),
    "SA": ("SAU", 682, "Saudi Arabia", "Middle East"),
    "YE": ("YEM", 887, "Yemen", "Middle East"),
    "AE": ("ARE", 784, "United Arab Emirates", "Middle East"),
    "QA": ("QAT", 634, "Qatar", "Middle East"),
    "KW": ("KWT", 414, "Kuwait", "Middle East"),
    "BH": ("BHR", 48, "Bahrain", "Middle East"),
    "OM": ("OMN", 512, "Oman", "Middle East"),
    "EG": ("EGY", 818, "Egypt", "Northern Africa"),
    "LY": ("LBY", 434, "Libya", "Northern Africa"),
    "TN": ("TUN", 788, "Tunisia", "Northern Africa"),
    "DZ": ("DZA", 12, "Algeria", "Northern Africa"),
    "MA": ("MAR", 504, "Morocco", "Northern Africa"),
    "SD": ("SDN", 729, "Sudan", "Northern Africa"),
    "RU": ("RUS", 643, "Russia", "Europe"),
    "UA": ("UKR", 804, "Ukraine", "Europe"),
    "US": ("USA", 840, "United States", "North America"),
    "GB": ("GBR", 826, "United Kingdom", "Europe"),
    "FR": ("FRA", 250, "France", "Europe"),
    "DE": ("DEU", 276, "Germany", "Europe"),
    "CY": ("CYP", 196, "Cyprus", "Europe"),
}
ALPHA3_TO_NAME = {a3: name for a3, _, name, _ in COUNTRIES.values()}

# ISO 3166-2 -> ACLED admin1 name (Syria; other codes are written as they are)
ADMIN1_NAMES = {
    "SY-DI": "Damascus", "SY-DR": "Dara", "SY-DY": "Deir ez Zor", "SY-HA": "Al Hasakeh", "SY-HI": "Homs",
    "SY-HL": "Aleppo", "SY-HM": "Hama", "SY-ID": "Idleb", "SY-LA": "Lattakia", "SY-QU": "Quneitra",
    "SY-RA": "Ar-Raqqa", "SY-RD": "Rural Damascus", "SY-SU": "As-Sweida", "SY-TA": "Tartous",
}

SECTOR_NAMES = {
    "GOV": "Government", "MIL": "Military Forces", "REB": "Rebel Groups", "OPP": "Opposition", "COP": "Police Forces",
    "SPY": "Intelligence Services", "CVL": "Civilians", "NGO": "NGO", "MED": "Media", "REF": "Refugees/IDPs",
    "JRN": "Journalists", "UAF": "Unidentified Armed Group", "IGO": "International Organization",
    "LAB": "Labour Group", "EDU": "Students", "HLH": "Health Workers", "BUS": "Business", "JUD": "Judiciary",
    "LEG": "Legislature", "PTY": "Political Party", "REL": "Religious Group", "CRM": "Criminals", "PRO": "Protesters",
}
