"""PLACEHOLDER: `marsad serve` is being written (issue 4)."""
import typer


def serve_command():
    """Serve the API and web app (not yet available)."""
    raise typer.Exit(2)
