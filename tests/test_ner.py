"""NER: features, the CoNLL round trip of `marsad ner`, tagging, and the pipeline stages.

All text here is written for the tests (no ANERcorp or news text)."""
from __future__ import annotations

import io
import re

import pytest
from typer.testing import CliRunner

from marsad.doc import Doc
from marsad.ner import features as F
from marsad.ner.cli import read_blocks, tag_conll
from marsad.ner.model import MODEL, NerTagger, entities, propagate_names, repair_bio
from marsad.records import Actor, Place

needs_model = pytest.mark.skipif(not MODEL.exists(), reason="NER model not trained")

SAMPLE = """\
قال O
الرئيس O
اللبناني O
ميشال B-PERS
عون I-PERS
في O
بيروت B-LOC
. O

وأعلنت O
وزارة B-ORG
الصحة I-ORG
عن O
افتتاح O
مستشفى O
جديد O
"""


class FakeTagger:
    """Tags every token O except those in `names` (PERS)."""

    def __init__(self, names=()):
        self.names = set(names)

    def tag(self, tokens):
        return ["B-PERS" if t in self.names else "O" for t in tokens]

    def entities(self, tokens):
        return [(typ, s, e, 0.95) for typ, s, e in entities(self.tag(tokens))]


# --- features -------------------------------------------------------------------------

def test_features_one_list_per_token_and_clitics():
    feats = F.sent_features(["وبالمدينة", "قال", "."])
    assert len(feats) == 3
    first = feats[0]
    assert "w=وبالمدينه" in first  # normalized: ة → ه
    assert any(f.startswith("pre=") and f != "pre=" for f in first)  # a proclitic was stripped
    assert "BOS" in first and "EOS" in feats[2]
    assert "sh=punct" in feats[2]
    assert any(f.startswith("+1:w=") for f in first) and any(f.startswith("-1:w=") for f in feats[1])


def test_features_triggers_and_shape():
    feats = F.sent_features(["الرئيس", "محمد", "2024", "Reuters"])
    assert "ttl" in feats[0]
    assert "fn" in feats[1]
    assert "-1:ttl" in feats[1]
    assert "sh=num" in feats[2]
    assert "sh=latinC" in feats[3]


def test_features_actor_lexicon_names():
    # "فيصل المقداد" is in marsad/data/actors/people.tsv; "منظمة الصحة العالمية" in organizations.tsv
    feats = F.sent_features("التقى فيصل المقداد بممثل منظمة الصحة العالمية".split())
    assert "apB" in feats[1] and "apI" in feats[2] and "ap1" in feats[1]
    assert "aoB" in feats[4] and "aoI" in feats[5] and "aoI" in feats[6]
    assert not any(f.startswith(("apB", "apI", "aoB", "aoI")) for f in feats[0] + feats[3])
    assert "-1:ap1" in feats[2]  # the neighbour's lexicon membership is a context feature


def test_features_corpus_frequency_and_article_ratio():
    r = F.resources()
    if not r.rank:
        pytest.skip("clusters.tsv not built")
    feats = F.word_features("وزارة").own
    assert any(f.startswith("fr=") for f in feats)
    assert any(f.startswith("alr=") for f in feats)
    assert not any(f.startswith("fr=") for f in F.word_features("زخقثمطظ").own)  # unknown word: no band


def test_aqmar_tags_mapped_to_anercorp(tmp_path):
    from marsad.ner.train import AQMAR_TAGS, read_conll

    path = tmp_path / "aqmar.txt"
    path.write_text("زار O\nخالد B-PER\nمتحف B-MIS\nبيروت I-MIS\nفي O\nلبنان B-LOC\n\n", encoding="utf-8")
    assert read_conll(path, AQMAR_TAGS) == [
        (["زار", "خالد", "متحف", "بيروت", "في", "لبنان"], ["O", "B-PERS", "B-MISC", "I-MISC", "O", "B-LOC"])]


def test_features_are_deterministic_and_empty_ok():
    toks = ["وصل", "الوفد", "إلى", "القاهرة"]
    assert F.sent_features(toks) == F.sent_features(list(toks))
    assert F.sent_features([]) == []


def test_bio_repair_and_entities():
    assert repair_bio(["O", "I-PERS", "I-PERS", "I-LOC"]) == ["O", "B-PERS", "I-PERS", "B-LOC"]
    assert entities(["B-ORG", "I-ORG", "O", "B-LOC"]) == [("ORG", 0, 2), ("LOC", 3, 4)]


# --- CoNLL round trip -------------------------------------------------------------------

def _layout(text: str) -> list[str | None]:
    """First column of each line, None for blank lines."""
    return [ln.split()[0] if ln.strip() else None for ln in text.splitlines()]


def test_conll_round_trip_exact_layout_fake_tagger():
    raw = "\n\n" + SAMPLE.replace("\n\n", "\n\n\n") + "\n"  # leading and doubled blank lines kept
    buf = io.StringIO()
    n_sent, n_tok = tag_conll(iter(raw.splitlines(True)), buf, tagger=FakeTagger(["ميشال"]))
    out = buf.getvalue()
    assert _layout(out) == _layout(raw)
    assert (n_sent, n_tok) == (2, 15)
    assert "ميشال B-PERS\n" in out and "قال O\n" in out
    assert all(len(ln.split()) == 2 for ln in out.splitlines() if ln.strip())


def test_conll_keep_gold_and_tokens_without_gold():
    buf = io.StringIO()
    tag_conll(iter(SAMPLE.splitlines(True)), buf, keep_gold=True, tagger=FakeTagger())
    lines = [ln.split() for ln in buf.getvalue().splitlines() if ln.strip()]
    assert lines[3] == ["ميشال", "B-PERS", "O"]
    blocks = list(read_blocks(iter(["كلمة\n", "\n", "-DOCSTART- -X- O\n", "أخرى\tO\n"])))
    assert blocks == [("sent", [("كلمة", None)]), ("blank", ""), ("doc", "-DOCSTART- -X- O"),
                      ("sent", [("أخرى", "O")])]


@needs_model
def test_cli_round_trip_with_model(tmp_path):
    from marsad.cli import app

    src = tmp_path / "in.conll"
    src.write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "out.conll"
    res = CliRunner().invoke(app, ["ner", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert _layout(text) == _layout(SAMPLE)
    tags = [ln.split()[1] for ln in text.splitlines() if ln.strip()]
    assert all(re.fullmatch(r"O|[BI]-(PERS|LOC|ORG|MISC)", t) for t in tags)
    res = CliRunner().invoke(app, ["ner", str(src), "--keep-gold"])
    assert res.exit_code == 0
    assert [ln.split()[:2] for ln in res.stdout.splitlines() if ln.strip()] == \
           [ln.split() for ln in SAMPLE.splitlines() if ln.strip()]


def test_cli_clear_error_on_bad_input(tmp_path):
    from marsad.cli import app

    res = CliRunner().invoke(app, ["ner", str(tmp_path / "missing.conll")])
    assert res.exit_code == 2 and "no such file" in res.output
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
    bad = tmp_path / "bad.conll"
    bad.write_bytes(b"\xff\xfe\x00bad\n")
    res = CliRunner().invoke(app, ["ner", str(bad)])
    assert res.exit_code == 2 and "UTF-8" in res.output
    res = CliRunner().invoke(app, ["ner", str(tmp_path)])
    assert res.exit_code == 2 and "directory" in res.output


# --- the model ---------------------------------------------------------------------------

@needs_model
def test_tagger_finds_person_and_place():
    tagger = NerTagger.default()
    toks = "وقال الرئيس الأمريكي جو بايدن في واشنطن إن الولايات المتحدة ستواصل دعمها .".split()
    tags = tagger.tag(toks)
    assert len(tags) == len(toks)
    assert tags[toks.index("بايدن")].endswith("PERS")
    assert tags[toks.index("واشنطن")] == "B-LOC"
    assert tagger.tag([]) == []
    assert NerTagger.default() is tagger


# --- names propagated within a document --------------------------------------------------

def test_propagate_names_other_occurrences_with_clitic_and_surname():
    sents = [["قال", "بشار", "الأسد", "إن"], ["وأكد", "وبشار", "الأسد", "ذلك"], ["وأضاف", "الأسد", "أن"],
             ["زار", "بشار", "الأسد", "دمشق"]]
    found = [[("PERS", 1, 3, 0.9)], [], [], []]
    out = propagate_names(sents, found)
    assert out[0] == [("PERS", 1, 3, 0.9)]
    assert out[1] == [("PERS", 1, 3, 0.9)]  # "وبشار الأسد": و glued to the first word
    assert out[2] == [("PERS", 1, 2, 0.9)]  # the surname alone
    assert out[3] == [("PERS", 1, 3, 0.9)]  # the whole name first, not its surname alone


def test_propagate_names_needs_confidence_and_free_words():
    sents = [["قال", "سمير", "جعجع"], ["التقى", "سمير", "جعجع"], ["حزب", "سمير", "جعجع"]]
    assert propagate_names(sents, [[("PERS", 1, 3, 0.3)], [], []]) == [[("PERS", 1, 3, 0.3)], [], []]
    # a word already inside another entity keeps it
    out = propagate_names(sents, [[("PERS", 1, 3, 0.8)], [], [("ORG", 0, 3, 0.7)]])
    assert out[1] == [("PERS", 1, 3, 0.8)] and out[2] == [("ORG", 0, 3, 0.7)]


def test_propagate_names_guards_and_window():
    # "الله" of "عبد الله" is among the corpus's most frequent words, "البريطاني" a nationality
    sents = [["قال", "عبد", "الله"], ["إن", "الله", "واحد"], ["قال", "الوزير", "البريطاني"], ["البريطاني"]]
    out = propagate_names(sents, [[("PERS", 1, 3, 0.9)], [], [("PERS", 1, 3, 0.9)], []])
    assert out[1] == [] and out[3] == []
    far = [["قال", "سمير", "جعجع"]] + [["ثم"]] * 5 + [["سمير", "جعجع"]]
    assert propagate_names(far, [[("PERS", 1, 3, 0.9)]] + [[]] * 6, window=3)[6] == []
    assert propagate_names(far, [[("PERS", 1, 3, 0.9)]] + [[]] * 6)[6] == [("PERS", 0, 2, 0.9)]


def test_propagate_names_majority_type():
    sents = [["فاغنر"], ["فاغنر"], ["فاغنر"], ["و", "فاغنر"]]
    out = propagate_names(sents, [[("ORG", 0, 1, 0.9)], [("ORG", 0, 1, 0.8)], [("PERS", 0, 1, 0.6)], []])
    assert out[3] == [("ORG", 1, 2, 0.9)] and out[2] == [("PERS", 0, 1, 0.6)]


def test_propagate_names_longer_name_replaces_the_part_tagged():
    # "عنان" alone was tagged where "كوفي عنان" stands: the full name found elsewhere wins
    sents = [["قال", "كوفي", "عنان"], ["وأكد", "كوفي", "عنان", "أن"], ["زار", "عنان", "بيروت"]]
    found = [[("PERS", 1, 3, 0.9)], [("PERS", 2, 3, 0.6)], [("LOC", 1, 3, 0.7)]]
    out = propagate_names(sents, found)
    assert out[1] == [("PERS", 1, 3, 0.9)]
    # an entity that only overlaps the name, or is as long as it, stays as the tagger gave it
    assert out[2] == [("LOC", 1, 3, 0.7)]


# --- pipeline stages -----------------------------------------------------------------------

class FirstSentenceTagger(FakeTagger):
    """Tags `names` only in a sentence that also has the word "الرئيس" (the CRF's cue)."""

    def tag(self, tokens):
        return super().tag(tokens) if "الرئيس" in tokens else ["O"] * len(tokens)


def test_stage_propagates_a_name_to_its_untagged_occurrences():
    from marsad.ner.component import NerStage

    text = "قال الرئيس ماكرون إن الاتفاق قريب.\nوأضاف ماكرون أن فرنسا مستعدة."
    doc = Doc(text=text)
    NerStage(tagger=FirstSentenceTagger(["ماكرون"]))(doc)
    assert [text[s:e] for s, e, _ in sorted(doc.ner)] == ["ماكرون", "ماكرون"]
    assert all(doc.ner_confidence[span] == 0.95 for span in doc.ner)


def test_stage_spans_match_text_fake_tagger():
    from marsad.ner.component import NerStage

    text = "التقى الوزير سمير جعجع بالسفير، ثم غادر.\nوصرّح سمير للصحفيين."
    doc = Doc(text=text)
    NerStage(tagger=FakeTagger(["سمير"]))(doc)
    assert [text[s:e] for s, e, _ in doc.ner] == ["سمير", "سمير"]
    assert all(label == "PERS" for _, _, label in doc.ner)


@needs_model
def test_stage_spans_match_text_with_model():
    from marsad.ner.component import NerStage
    from marsad.text.segment import sentences

    text = "أعلن الرئيس الفرنسي إيمانويل ماكرون من باريس، اليوم، أن فرنسا ستدعم الاتفاق."
    doc = Doc(text=text)
    doc.sentences = sentences(text)
    NerStage()(doc)
    assert doc.ner
    for s, e, label in doc.ner:
        assert label in ("PERS", "LOC", "ORG", "MISC")
        assert text[s:e] == text[s:e].strip() and text[s:e]
        assert 0 < doc.ner_confidence[(s, e, label)] <= 1.0
    assert any(label == "PERS" and "ماكرون" in text[s:e] for s, e, label in doc.ner)


def test_merge_ner_rules():
    from marsad.ner.component import merge_ner, nationality

    text = "قال الرئيس السوري حسن عامر إن والرابطة الوطنية في حمص اجتمعت."
    doc = Doc(text=text)
    i = text.index
    pers = (i("حسن"), i("عامر") + 4, "PERS")
    org = (i("والرابطة"), i("الوطنية") + 7, "ORG")
    place_as_person = (i("حمص"), i("حمص") + 3, "PERS")
    doc.ner = [pers, org, place_as_person]
    doc.ner_confidence = {pers: 0.95, org: 0.7, place_as_person: 0.99}
    doc.places = [Place(text="حمص", name="Homs", span=[i("حمص"), i("حمص") + 3]),
                  Place(text="حسن", name="Hasan", span=[i("حسن"), i("حسن") + 3])]
    merge_ner(doc)
    assert [p.text for p in doc.places] == []  # both dropped: a PERS span covers them
    people = {a.text: a for a in doc.people}
    assert people["حسن عامر"].country == "SYR" and people["حسن عامر"].source == "ner"
    org_actor = doc.organizations[0]
    assert org_actor.text == "الرابطة الوطنية" and text[slice(*org_actor.span)] == org_actor.text
    assert nationality("الإيرانية") == "IRN" and nationality("والسوريين") == "SYR"
    assert nationality("كتاب") is None


def test_merge_ner_lexicon_wins_and_low_confidence_ignored():
    from marsad.ner.component import merge_ner

    text = "وصل أحمد سالم إلى دمشق مع خالد."
    i = text.index
    doc = Doc(text=text)
    lex = Actor(text="أحمد سالم", name="Ahmad Salem", kind="person", span=[i("أحمد"), i("سالم") + 4],
                source="lexicon")
    doc.people = [lex]
    doc.places = [Place(text="دمشق", span=[i("دمشق"), i("دمشق") + 4])]
    a = (i("أحمد"), i("سالم") + 4, "PERS")
    b = (i("خالد"), i("خالد") + 4, "PERS")
    c = (i("دمشق"), i("دمشق") + 4, "LOC")
    doc.ner = [a, b, c]
    doc.ner_confidence = {a: 0.99, b: 0.3, c: 0.99}
    merge_ner(doc)
    assert doc.people == [lex]
    assert len(doc.places) == 1


def test_licence_notice_shipped():
    lic = MODEL.parent / "LICENSE-ANERcorp.txt"
    assert lic.exists()
    assert "CC BY-SA 4.0" in lic.read_text(encoding="utf-8")
