"""Trigger words learned from the event corpus, added to the hand-written lexicon of the rule path.

The hand lexicon (data/events/triggers.tsv) reads 47 % of the corpus's annotated trigger words: it has no
"اقتحمت" (raided: 137 annotated raids), "دانت" (condemned), "أشاد" (praised), "داعيا" (calling for). A
word form joins the lexicon when the annotators marked it as the trigger of an event at least
`MIN_EVENTS` times in `MIN_ARTICLES` articles, in at least `MIN_PRECISION` of the places it stands (one
event told twice is annotated once, so a reliable word still scores well under 1; the bar was chosen on
the grouped CV: 0.4 / 0.2 / 0.1 / 0.05 gave events F1 0.403 / 0.408 / 0.414 / 0.413), with one event class
in at least `MIN_SHARE` of them; the row gets that class's PLOVER type, mode and context and its ACLED
sub-type (the actor decides captures and detentions, as for the hand rows: rules "seize" and "arrest").
The forms are the words as written or without a leading "و"/"ف" ("واقتحمت" counts for "اقتحمت"), and
the run-time lookup finds them under any clitic (`lexicon.readings`: "باقتحام"). Words the hand lexicon
reads are left to it. Everything after the trigger (requirements, places, actors, de-duplication) is the
rule path's.

Training data: the event corpus (corpus/annotations/*.jsonl joined with ../shared by scripts/annot.py).
Rebuild the shipped table (marsad/data/events/triggers_corpus.tsv) byte for byte, printing the
document-grouped 5-fold CV in which each fold's rows are learned from the other four, with

    python -m marsad.extract.train_events --shared ../shared --rules
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from pathlib import Path

from marsad.text.lexicon import FormLexicon, readings

CORPUS_FILE = "triggers_corpus.tsv"
MIN_EVENTS = 3
MIN_ARTICLES = 3  # a word of one article's lost-space joins ("النازحينبقصف") is no vocabulary
MIN_PRECISION = 0.1
MIN_SHARE = 0.6
MIN_FORM_CHARS = 3
HEADER = "# learned from the event corpus by marsad/extract/corpus_triggers.py; do not edit by hand\n" \
         "# form\tfollow\ttype\tmode\tcontext\tacled\tevidence (annotated as trigger / occurrences)\n"


def learn_rows(records: list[dict], docs: dict, hand: FormLexicon, class_info: dict) -> list[list[str]]:
    """Rows in triggers.tsv's layout from the annotated events of `records` (docs: their Docs, run up to
    the event stage, for the tokens). `class_info`: train_events.class_meta()["classes"]."""
    from marsad.extract.trigger_model import event_class

    marked: dict[str, Counter] = defaultdict(Counter)  # form → class → annotated trigger tokens
    seen: Counter = Counter()  # form → tokens that read as it
    docs_of: dict[str, set] = defaultdict(set)  # form → articles where it is annotated
    for rec in records:
        doc = docs[rec["doc_id"]]
        toks = doc.tokens
        ends = [t.end for t in toks]
        head_class: dict[int, str] = {}  # start of the first word of each annotated trigger → its class
        for ev in rec["events"]:
            if ev.get("optional") or not ev.get("trigger"):
                continue
            a, b = ev["trigger"]["span"]
            k = bisect_right(ends, a)
            if k == len(toks) or toks[k].start >= b:
                continue
            head_class.setdefault(toks[k].start, event_class(ev["plover"]["type"],
                                                             (ev.get("acled") or {}).get("sub_event_type")))
        for t in toks:
            if hand.has(t.norm):  # the hand lexicon reads it: its row (follow words, ACLED rule) stands
                continue
            cls = head_class.get(t.start)
            # every form the run-time lookup would find in this token counts it as seen ...
            for f in readings(t.norm):
                seen[f] += 1
            if cls is None:
                continue
            # ... but a form is learned only as written or without "و"/"ف": the deeper clitic cuts of
            # `readings` also cut words that only look clitic-led ("سيطر" → "يطر", "غارة" → "غار")
            w = t.norm
            for f in {w, w[1:] if w[:1] in ("و", "ف") else w}:
                if len(f) >= MIN_FORM_CHARS and f in readings(w):
                    marked[f][cls] += 1
                    docs_of[f].add(rec["doc_id"])
    rows = []
    for form in sorted(marked):
        by_class = marked[form]
        n = sum(by_class.values())
        if n < MIN_EVENTS or len(docs_of[form]) < MIN_ARTICLES or n / seen[form] < MIN_PRECISION \
                or hand.index.get(form):
            continue
        cls, k = sorted(by_class.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if k / n < MIN_SHARE or cls not in class_info:
            continue
        info = class_info[cls]
        acled = "-" if cls.startswith("P:") else cls  # a sub-type, or the rule "seize" / "arrest"
        rows.append([form, "", info["type"], info.get("mode") or "", "|".join(info.get("context") or ()),
                     acled, f"{n}/{seen[form]}"])
    return rows


def write_rows(rows: list[list[str]], path: Path) -> None:
    path.write_text(HEADER + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
