"""`marsad ner INPUT [-o OUT] [--keep-gold]`: tag CoNLL-style text with the shipped model.

Input: one token per line, optionally followed (after spaces or a tab) by more
columns, the last of which is taken as the gold tag; a blank line between
sentences; ``-DOCSTART-`` lines are copied through and end a sentence.
Output keeps the layout exactly: the same tokens in the same order, one per
line, and a blank line wherever the input had one (so sentence breaks are the
same); each token line becomes ``token PRED`` or, with --keep-gold,
``token GOLD PRED`` (what conlleval and seqeval read). INPUT ``-`` reads stdin.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator, Optional

import typer


class ConllError(ValueError):
    pass


def read_blocks(lines: Iterator[str]) -> Iterator[tuple[str, object]]:
    """('sent', [(token, gold or None), ...]) / ('blank', line) / ('doc', line), in input order."""
    sent: list[tuple[str, Optional[str]]] = []
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip():
            if sent:
                yield "sent", sent
                sent = []
            yield "blank", ""
            continue
        parts = line.split()
        if parts[0] == "-DOCSTART-":
            if sent:
                yield "sent", sent
                sent = []
            yield "doc", line
            continue
        sent.append((parts[0], parts[-1] if len(parts) > 1 else None))
    if sent:
        yield "sent", sent


def tag_conll(lines: Iterator[str], out, keep_gold: bool = False, tagger=None) -> tuple[int, int]:
    """Tag CoNLL lines into `out` (a text stream); returns (sentences, tokens)."""
    from marsad.ner.model import NerTagger

    tagger = tagger or NerTagger.default()
    n_sent = n_tok = 0
    lineno = 0
    for kind, item in read_blocks(lines):
        if kind != "sent":
            out.write(item + "\n")
            lineno += 1
            continue
        toks = [t for t, _ in item]
        pred = tagger.tag(toks)
        for (tok, gold), p in zip(item, pred):
            lineno += 1
            if keep_gold:
                if gold is None:
                    raise ConllError(f"line {lineno}: --keep-gold needs a gold tag after the token {tok!r}")
                out.write(f"{tok} {gold} {p}\n")
            else:
                out.write(f"{tok} {p}\n")
        n_sent += 1
        n_tok += len(toks)
    return n_sent, n_tok


def ner_command(
    input: Path = typer.Argument(..., help="CoNLL file: token [gold tag] per line, blank line between sentences; - for stdin"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="output file (default: stdout)"),
    keep_gold: bool = typer.Option(False, "--keep-gold", help="write 'token GOLD PRED' (for conlleval)"),
):
    """Tag CoNLL-style input with the shipped Arabic NER model (PERS, LOC, ORG, MISC)."""
    def fail(msg: str) -> None:
        typer.echo(f"error: {msg}", err=True)
        raise typer.Exit(2)

    try:
        if str(input) == "-":
            lines = list(sys.stdin)
        else:
            with open(input, encoding="utf-8") as f:
                lines = f.readlines()
    except FileNotFoundError:
        fail(f"no such file: {input}")
    except IsADirectoryError:
        fail(f"{input} is a directory, not a CoNLL file")
    except UnicodeDecodeError as e:
        fail(f"{input} is not UTF-8 text ({e.reason} at byte {e.start})")
    except OSError as e:
        fail(f"cannot read {input}: {e.strerror or e}")
    try:
        from io import StringIO

        buf = StringIO()
        n_sent, n_tok = tag_conll(iter(lines), buf, keep_gold=keep_gold)
    except ConllError as e:
        fail(str(e))
    except FileNotFoundError as e:
        fail(str(e))
    if output:
        try:
            output.write_text(buf.getvalue(), encoding="utf-8")
        except OSError as e:
            fail(f"cannot write {output}: {e.strerror or e}")
        typer.echo(f"tagged {n_tok} tokens in {n_sent} sentences → {output}", err=True)
    else:
        sys.stdout.write(buf.getvalue())
