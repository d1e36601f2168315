"""Data files that ship inside the package (lexicons, gazetteer, models).

Each file is built from ../shared by a script in `scripts/` or written by hand
(trigger and pattern tables); NOTICE at the repository root gives sources and licences.
"""
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


def data_path(*parts: str) -> Path:
    return DATA_DIR.joinpath(*parts)
