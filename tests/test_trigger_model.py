"""The learned trigger detector and type classifier (marsad/extract/trigger_model.py)."""
from pathlib import Path

import pytest

from marsad.extract.trigger_model import (TriggerDetector, TriggerModel, TypeClassifier, event_class, gold_labels,
                                          sentence_context, token_features, window_text, window_vectors)
from marsad.pipeline import Pipeline


def test_event_class_folds_the_actor_decided_pairs():
    assert event_class("ASSAULT", "Air/drone strike") == "Air/drone strike"
    assert event_class("COERCE", "Arrests") == event_class("COERCE", "Abduction/forced disappearance") == "arrest"
    assert event_class("REQUEST", None) == "P:REQUEST"


def test_weights_files_round_trip(tmp_path: Path):
    det = TriggerDetector(-2.5, {"w=قصف": 3.0, "lex=ASSAULT": 1.25})
    det.write(tmp_path / "d.tsv.gz")
    again = TriggerDetector.read(tmp_path / "d.tsv.gz")
    assert again.bias == det.bias and again.weights == det.weights
    assert again.probability(["w=قصف", "lex=ASSAULT"]) > 0.8 > 0.2 > again.probability(["w=قال"])
    # the written bytes do not depend on the time they were written (gzip mtime 0): rebuilds are byte for byte
    det.write(tmp_path / "e.tsv.gz")
    assert (tmp_path / "d.tsv.gz").read_bytes() == (tmp_path / "e.tsv.gz").read_bytes()
    types = TypeClassifier(["Air/drone strike", "P:REQUEST"], [0.0, 0.0], {"w=غاره": [2.0, -2.0]})
    types.write(tmp_path / "t.tsv.gz")
    assert TypeClassifier.read(tmp_path / "t.tsv.gz").predict(["w=غاره"])[0] == "Air/drone strike"


def test_dense_weights_round_trip_and_decide(tmp_path: Path):
    """The type classifier's weights over the USE window vector are written and read back, and they
    decide between two classes when the sparse features do not."""
    import numpy as np

    dense = np.zeros((512, 2), dtype=np.float32)
    dense[0] = [4.0, -4.0]
    types = TypeClassifier(["Air/drone strike", "P:REQUEST"], [0.0, 0.0], {"w=غاره": [0.5, -0.5]}, dense)
    types.write(tmp_path / "t.tsv.gz")
    again = TypeClassifier.read(tmp_path / "t.tsv.gz")
    assert again.dense.shape == (512, 2) and float(again.dense[0, 0]) == 4.0
    toward_request = np.zeros(512, dtype=np.float32)
    toward_request[0] = -1.0
    assert again.predict(["w=غاره"])[0] == "Air/drone strike"  # no vector: sparse features only
    assert again.predict(["w=غاره"], toward_request)[0] == "P:REQUEST"
    types.write(tmp_path / "u.tsv.gz")
    assert (tmp_path / "t.tsv.gz").read_bytes() == (tmp_path / "u.tsv.gz").read_bytes()


def test_window_vectors_place_a_strike_window_nearer_a_strike_than_a_meeting():
    text = "قال مصدر محلي إن الطيران الحربي شن غارة على بلدة في ريف إدلب صباح اليوم بعد اجتماع الوزراء"
    from marsad.text.segment import tokens

    toks = tokens(text)
    i = next(k for k, t in enumerate(toks) if t.text == "غارة")
    win = window_text(text, toks, i, width=3)
    assert win == "الطيران الحربي شن غارة على بلدة في"
    v = window_vectors([win, "قصفت الطائرات قرية قرب إدلب", "التقى وزير الخارجية نظيره في عمّان"])
    assert v.shape == (3, 512)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


@pytest.fixture(scope="module")
def pre_event_doc():
    pipe = Pipeline(ner=False)
    doc = pipe.make_doc_lenient("شن الطيران الحربي الإسرائيلي غارة على بلدة عيتا الشعب أمس.", published="2024-03-10")
    for stage in pipe.stages[:-1]:
        doc = stage(doc)
    return doc


def test_gold_labels_mark_the_trigger_and_its_class(pre_event_doc):
    ctx = sentence_context(pre_event_doc, 0)
    start = pre_event_doc.text.index("غارة")
    ev = {"trigger": {"span": [start, start + 4]}, "plover": {"type": "ASSAULT"},
          "acled": {"sub_event_type": "Air/drone strike"}}
    labels, classes = gold_labels(ctx, [ev])
    i = next(k for k, t in enumerate(ctx.toks) if t.start == start)
    assert labels[i] == "B-EV" and labels.count("B-EV") == 1
    assert classes == {i: "Air/drone strike"}


def test_a_model_finds_and_types_a_trigger(pre_event_doc, tmp_path):
    """A detector that fires on the strike noun and a classifier that types it give one Trigger."""
    feats = token_features(sentence_context(pre_event_doc, 0), {})
    det = TriggerDetector(-5.0, {"w=غاره": 10.0})
    types = TypeClassifier(["Air/drone strike", "P:REQUEST"], [0.0, 0.0], {"w=غاره": [3.0, -3.0]})
    model = TriggerModel(tmp_path, meta={"classes": {"Air/drone strike": {"type": "ASSAULT", "mode": "aerial",
                                                                          "context": ["military"]}},
                                         "threshold": 0.5}, detector=det, types=types)
    trig = model.triggers(pre_event_doc, 0, {})
    assert [t.token.text for t in trig] == ["غارة"]
    assert trig[0].row.type == "ASSAULT" and trig[0].row.acled == "Air/drone strike"
    assert len(feats) == len(sentence_context(pre_event_doc, 0).toks)


def test_shipped_model_codes_a_clear_air_strike(monkeypatch):
    if TriggerModel.shipped() is None:
        pytest.skip("no shipped trigger model")
    monkeypatch.setenv("MARSAD_EVENTS", "learned")
    pipe = Pipeline(ner=False)
    stage = pipe.stages[-1]
    assert stage.trigger_model is not None  # MARSAD_EVENTS=learned loads the stack trained together
    assert stage.event_filter is not None and stage.place_ranker is not None
    rec = pipe.extract("شن الطيران الحربي الإسرائيلي غارة على بلدة عيتا الشعب في جنوب لبنان، "
                                      "وأفادت مصادر محلية بسقوط شهيدين.", published="2024-03-10")
    assert any(e.plover.type == "ASSAULT" for e in rec.events)


def test_fast_detector_scores_equal_the_feature_list_scores(pre_event_doc):
    """sentence_probabilities (per-word sums cached) gives what probability() gives over the full
    feature lists of token_features, for the shipped weights or, without them, a hand-made set."""
    model = TriggerModel.shipped()
    det = model.detector if model else TriggerDetector(-1.0, {"w=غاره": 2.0, "-1:w=الاسرائيلي": -0.5, "+1:lex=ASSAULT":
                                                              0.3, "ner=LOC": 0.2, "-2:place": 0.1, "+2:edge": 0.4})
    ctx = sentence_context(pre_event_doc, 0)
    cache: dict = {}
    slow = [det.probability(f) for f in token_features(ctx, cache)]
    fast, lexical = det.sentence_probabilities(ctx, cache)
    assert fast == pytest.approx(slow, abs=1e-9)
    assert any(lexical) and len(lexical) == len(ctx.toks)


def test_the_window_vector_reaches_the_type_decision(pre_event_doc, tmp_path):
    """Dense weights aligned with the trigger's own window vector turn the class against the sparse vote."""
    import numpy as np

    ctx = sentence_context(pre_event_doc, 0)
    i = next(k for k, t in enumerate(ctx.toks) if t.text == "غارة")
    v = window_vectors([window_text(pre_event_doc.text, ctx.toks, i)])[0]
    det = TriggerDetector(-5.0, {"w=غاره": 10.0})
    dense = np.outer(v, [-5.0, 5.0]).astype(np.float32)
    types = TypeClassifier(["Air/drone strike", "P:REQUEST"], [0.0, 0.0], {"w=غاره": [3.0, -3.0]}, dense)
    meta = {"classes": {"P:REQUEST": {"type": "REQUEST"}, "Air/drone strike": {"type": "ASSAULT"}}, "threshold": 0.5}
    model = TriggerModel(tmp_path, meta=meta, detector=det, types=types)
    assert [t.row.type for t in model.triggers(pre_event_doc, 0, {})] == ["REQUEST"]
    types.dense = None
    assert [t.row.type for t in model.triggers(pre_event_doc, 0, {})] == ["ASSAULT"]
