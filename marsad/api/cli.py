"""`marsad serve`: the API and the web app in one uvicorn process (registered in marsad/cli.py)."""
from __future__ import annotations

import typer

DEFAULT_DB = "sqlite:///marsad.db"


def serve_command(
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="MARSAD_DB",
                           help="database URL: sqlite:///FILE or postgresql://user:pw@host/db (env MARSAD_DB)"),
    host: str = typer.Option("127.0.0.1", help="interface to listen on (0.0.0.0 for all)"),
    port: int = typer.Option(8000, help="TCP port"),
    private: bool = typer.Option(False, "--private", envvar="MARSAD_PRIVATE",
                                 help="reads need the token too (env MARSAD_PRIVATE=1)"),
):
    """Serve the REST API (/api, OpenAPI at /openapi.json, docs at /docs) and the web app (/).

    Writes (posting documents, corrections) need `Authorization: Bearer $MARSAD_TOKEN`;
    without MARSAD_TOKEN set, the server is read-only.
    """
    import os

    from rich.console import Console

    from marsad.store.store import StoreError

    err = Console(stderr=True)
    try:
        import uvicorn

        from marsad.api.app import create_app

        app = create_app(db, private=private)
    except StoreError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    c = app.state.store.counts()
    err.print(f"store {app.state.store.safe_url}: {c['documents']} documents, {c['events']} events")
    if not os.environ.get("MARSAD_TOKEN"):
        err.print("[yellow]MARSAD_TOKEN is not set: the API is read-only[/yellow]")
    err.print(f"serving on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    except OSError as e:
        err.print(f"[red]error:[/red] cannot listen on {host}:{port}: {e.strerror or e}")
        raise typer.Exit(2)
