"""Trigger words learned from the event corpus (marsad/extract/corpus_triggers.py); invented sentences."""
from __future__ import annotations

from marsad.data import data_path
from marsad.doc import Doc
from marsad.extract.corpus_triggers import CORPUS_FILE, learn_rows
from marsad.extract.triggers import find_triggers, trigger_lexicon, use_corpus_rows
from marsad.text.lexicon import read_tsv
from marsad.text.normalize import normalize
from marsad.text.segment import tokens
from marsad.text.segment_stage import Segmenter

CLASSES = {"P:COERCE": {"type": "COERCE", "mode": "raid", "context": ["military"]},
           "P:ACCUSE": {"type": "ACCUSE", "mode": "disapprove", "context": ["political"]}}


def _article(doc_id: str, text: str, triggers: list[tuple[str, str]]):
    doc = Segmenter()(Doc(text=text, doc_id=doc_id))
    events = []
    for word, ptype in triggers:
        i = text.index(word)
        events.append({"plover": {"type": ptype}, "trigger": {"span": [i, i + len(word)]}})
    return {"doc_id": doc_id, "events": events}, doc


def _corpus(n_articles: int):
    out = []
    for k in range(n_articles):
        # "اقتحمت" is marked each time; "داهمت" stands once unmarked in each article
        out.append(_article(f"a{k}", "اقتحمت القوات البلدة. وداهمت منزلا. دانت الوزارة الاقتحام.",
                            [("اقتحمت", "COERCE")]))
    return [r for r, _ in out], {r["doc_id"]: d for r, d in out}


def test_a_word_marked_in_enough_articles_becomes_a_row_with_its_class():
    records, docs = _corpus(3)
    rows = learn_rows(records, docs, trigger_lexicon(), CLASSES)
    assert [r[:6] for r in rows] == [[normalize("اقتحمت"), "", "COERCE", "raid", "military", "-"]]
    assert rows[0][6] == "3/3"


def test_a_word_of_two_articles_or_one_the_hand_lexicon_reads_is_not_learned():
    records, docs = _corpus(2)
    assert learn_rows(records, docs, trigger_lexicon(), CLASSES) == []
    # "قصفت" is a hand form: its hand row, with its follow words and ACLED rule, stays the only one
    out = [_article(f"b{k}", "قصفت المدفعية البلدة.", [("قصفت", "ACCUSE")]) for k in range(4)]
    assert learn_rows([r for r, _ in out], {r["doc_id"]: d for r, d in out}, trigger_lexicon(), CLASSES) == []


def test_the_rule_path_reads_learned_rows_under_any_clitic():
    row = [normalize("اقتحمت"), "", "COERCE", "raid", "military", "-", "3/3"]
    try:
        use_corpus_rows([])
        assert find_triggers(tokens("واقتحمت القوات البلدة")) == []
        use_corpus_rows([row])
        [t] = find_triggers(tokens("واقتحمت القوات البلدة"))
        assert (t.token.text, t.row.type, t.row.mode) == ("واقتحمت", "COERCE", "raid")
    finally:
        use_corpus_rows(None)


def test_the_shipped_rows_add_only_words_the_hand_lexicon_lacks():
    hand = trigger_lexicon()
    rows = read_tsv(data_path("events", CORPUS_FILE))
    assert rows
    for r in rows:
        assert len(r) == 7 and r[2] and not hand.index.get(r[0])
