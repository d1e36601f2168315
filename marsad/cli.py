"""The `marsad` command.

    marsad extract INPUT... [-o OUT.jsonl] [--published YYYY-MM-DD] [--workers N]
    marsad batch INPUT... -o OUT/ [--workers N | --scheduler tcp://HOST:8786]   (Dask; marsad/batch.py)
    marsad demo
    marsad ner INPUT -o OUT                 (CoNLL tagging; marsad/ner/cli.py)
    marsad ingest / export                  (database; marsad/store/cli.py)
    marsad serve                            (API + web app; marsad/api/cli.py)
    marsad stories                          (stories with their articles; marsad/stories/cli.py)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from marsad.api.cli import serve_command
from marsad.batch import batch_command
from marsad.ner.cli import ner_command
from marsad.store.cli import export_command, ingest_command
from marsad.stories.cli import stories_command

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Marsad: Arabic news in, coded, located, dated events out.")
err = Console(stderr=True)


@app.callback()
def _check_environment() -> None:
    """Arabic news in, coded, located, dated events out."""
    from marsad.extract.events import check_environment

    try:
        check_environment()
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        raise typer.Exit(2)


def _check_published(value: Optional[str]) -> Optional[str]:
    from marsad.pipeline import BadDocument, parse_published

    try:
        parse_published(value)
    except BadDocument:
        raise typer.BadParameter(f"{value!r} is not a date like 2024-12-06")
    return value


@app.command()
def extract(
    inputs: List[Path] = typer.Argument(..., help=".txt, .jsonl(.gz), .json, .html, .warc(.gz) files or directories "
                                                  "of them; - reads JSON Lines from stdin"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="JSON Lines output (default: stdout)"),
    published: Optional[str] = typer.Option(None, help="publication date for inputs that give none",
                                            callback=_check_published),
    ner: bool = typer.Option(True, "--ner/--no-ner", help="use the shipped NER model"),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress",
                                            help="progress bar on stderr (default: when several inputs)"),
    max_chars: int = typer.Option(1_000_000, min=1, help="longest document text, in characters (longer: error record)"),
    max_line_bytes: int = typer.Option(10_000_000, min=1, help="longest JSON Lines line / .json file, in bytes"),
    max_sentence_tokens: int = typer.Option(300, min=1, help="longer sentences are cut into pieces this long"),
    workers: int = typer.Option(1, "--workers", min=1,
                                help="processes extracting in parallel (same output, same order)"),
):
    """Extract document records (events, places, times, actors, statements) as JSON Lines."""
    from marsad.io import expand, read_inputs
    from marsad.parallel import extract_lines
    from marsad.pipeline import Limits

    missing = [str(p) for p in inputs if not p.exists() and str(p) != "-"]  # "-": JSON Lines on stdin
    if missing:
        err.print(f"[red]error:[/red] no such file: {', '.join(missing)}")
        raise typer.Exit(2)
    files = expand(inputs)
    show = progress if progress is not None else (len(files) > 1 or any(f.suffix in (".jsonl", ".gz") for f in files))
    limits = Limits(max_chars=max_chars, max_line_bytes=max_line_bytes, max_sentence_tokens=max_sentence_tokens)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    failed = total = 0
    try:
        lines = extract_lines(read_inputs(files, published=published, limits=limits), ner=ner, workers=workers,
                              limits=limits)
        for line, is_error in _with_progress(lines, show):
            total += 1
            failed += is_error
            out.write(line + "\n")
    finally:
        if output:
            out.close()
    # the contract's last word: how many inputs, how many failed; exit status 1 when any did
    err.print(f"{total} documents, {total - failed} extracted, {failed} errors"
              + (f" → {output}" if output else ""), highlight=False, soft_wrap=True)
    raise typer.Exit(1 if failed else 0)


def _with_progress(records, show: bool):
    if not show:
        yield from records
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TextColumn("docs"),
                  TimeElapsedColumn(), console=err, transient=False) as bar:
        task = bar.add_task("extract", total=None)
        for rec in records:
            bar.advance(task)
            yield rec


@app.command()
def demo(as_json: bool = typer.Option(False, "--json", help="print the record instead of the summary")):
    """Run the pipeline on the shipped sample article and print a readable summary."""
    from marsad.data import data_path
    from marsad.pipeline import Pipeline
    from marsad.summary import print_summary

    sample = json.loads(data_path("demo", "sample.json").read_text(encoding="utf-8"))
    record = Pipeline().extract(**sample)
    if as_json:
        print(json.dumps(record.model_dump(), ensure_ascii=False, indent=1))
    else:
        print_summary(record, Console())


app.command("ner")(ner_command)
app.command("ingest")(ingest_command)
app.command("export")(export_command)
app.command("serve")(serve_command)
app.command("batch")(batch_command)
app.command("stories")(stories_command)


if __name__ == "__main__":
    app()
