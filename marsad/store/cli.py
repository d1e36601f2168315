"""PLACEHOLDER: `marsad ingest` / `marsad export` are being written (issue 4)."""
import typer


def ingest_command():
    """Extract and store articles (not yet available)."""
    raise typer.Exit(2)


def export_command():
    """Export stored events (not yet available)."""
    raise typer.Exit(2)
