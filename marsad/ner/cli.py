"""PLACEHOLDER: `marsad ner` is being written (issue 3)."""
import typer


def ner_command():
    """Tag CoNLL-style input with the shipped NER model (not yet available)."""
    raise typer.Exit(2)
