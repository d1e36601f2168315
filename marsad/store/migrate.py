"""Schema migrations from code: Alembic configured without an alembic.ini.

    from marsad.store.migrate import upgrade
    upgrade(engine)                     # to head; Store(url) does this on open

    python -m marsad.store.migrate URL [REVISION]
"""
from __future__ import annotations

import sys
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current(engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def main(argv: list[str]) -> int:
    from sqlalchemy import create_engine

    if not argv:
        print(__doc__)
        return 2
    engine = create_engine(argv[0])
    upgrade(engine, argv[1] if len(argv) > 1 else "head")
    print("at revision", current(engine))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
