"""The learned ACLED sub-type of an attack (marsad/extract/subtype_model.py): features, the model, the
shipped file and its use by the event stage."""
from functools import lru_cache

from marsad.extract.events import EventExtractor
from marsad.extract.subtype_model import SubtypeModel, subtype_features, weapon_classes
from marsad.text.segment import tokens

# "بالمدفعية" right after the trigger is shelling, though an aircraft word later in the clause comes first
# in weapons.tsv
SHELLING_WITH_AIR_COVER = ("قصفت فصائل المعارضة بالمدفعية والصواريخ مواقع الجيش في محيط بلدة الفوعة، تحت غطاء جوي "
                           "من طائرات مسيّرة.")
ARTILLERY_WITH_DRONES_ABOVE = ("قصفت المدفعية الإسرائيلية أطراف بلدة عيتا الشعب جنوبي لبنان، فيما حلقت طائرات "
                               "مسيّرة في أجواء المنطقة.")


@lru_cache(maxsize=1)
def _pipeline():
    from marsad.pipeline import Pipeline

    return Pipeline()


def make_doc(text: str):
    """The article through every stage before the event stage."""
    from marsad.pipeline import InputDoc

    pipe = _pipeline()
    doc = pipe.make_doc(InputDoc(text=text, doc_id="t", published="2024-03-01"))
    for stage in pipe.stages[:-1]:
        doc = stage(doc)
    return doc


def subtypes(text: str, model=None) -> list[str]:
    return [e.acled.sub_event_type for e in EventExtractor(subtype_model=model)(make_doc(text)).events]


def test_shipped_model_loads_and_is_used_by_default_for_the_lexicon_triggers():
    model = SubtypeModel.shipped()
    assert model is not None and {"Air/drone strike", "Shelling/artillery/missile attack", "Armed clash",
                                  "Attack"} <= set(model.classes)
    assert isinstance(EventExtractor().subtype_model, SubtypeModel)
    assert EventExtractor(subtype_model=False).subtype_model is None


def test_a_weapon_word_right_after_the_trigger_outweighs_one_later_in_the_clause():
    # the weapon rules read the aircraft words first and make both air strikes
    assert set(subtypes(SHELLING_WITH_AIR_COVER, False)) == {"Air/drone strike"}
    assert set(subtypes(ARTILLERY_WITH_DRONES_ABOVE, False)) == {"Air/drone strike"}
    assert set(subtypes(SHELLING_WITH_AIR_COVER)) == {"Shelling/artillery/missile attack"}
    assert set(subtypes(ARTILLERY_WITH_DRONES_ABOVE)) == {"Shelling/artillery/missile attack"}
    [e] = EventExtractor()(make_doc(SHELLING_WITH_AIR_COVER)).events
    assert e.plover.mode == "heavy-weapons"  # the mode of the chosen class's row of weapons.tsv


def test_clear_cases_keep_their_sub_type():
    assert subtypes("شنت الطائرات الحربية الإسرائيلية غارة على بلدة الخيام جنوبي لبنان.")[0] == "Air/drone strike"
    assert subtypes("اندلعت اشتباكات عنيفة بين الجيش السوداني وقوات الدعم السريع في مدينة الفاشر.") == ["Armed clash"]


def test_features_say_where_each_weapon_word_stands():
    toks = tokens("قصفت المدفعية بلدة عيتا الشعب فيما حلقت طائرات مسيرة")
    feats = subtype_features(toks, 0, 10**6, [], False, None, None, "strike", "Air/drone strike")
    assert "wp=Shelling/artillery/missile attack@next" in feats
    assert "wp=Air/drone strike@clause" in feats and "wp=Air/drone strike@sentence" in feats
    assert {"a=none", "r=none", "rule=Air/drone strike", "row=strike", "w=قصفت"} <= set(feats)
    prev = subtype_features(toks[:3], 0, 10**6, tokens("غارة جوية"), True, None, None, "strike", None)
    assert "wp=Air/drone strike@previous" in prev and "military_target" in prev


def test_the_weights_decide_and_the_file_round_trips(tmp_path):
    X = [["wp=A@next"], ["wp=A@next"], ["wp=B@next"], ["wp=B@next"], ["x"]] * 3
    y = ["Air/drone strike", "Air/drone strike", "Armed clash", "Armed clash", "Armed clash"] * 3
    model = SubtypeModel.fit(X, y, c=10)
    assert model.choose(["wp=A@next"], "Armed clash", "firearms") == ("Air/drone strike", weapon_classes()[2]["Air/drone strike"])
    assert model.choose(["wp=B@next"], "Armed clash", "firearms") == ("Armed clash", "firearms")  # the rules' mode
    path = tmp_path / "m.tsv"
    model.write(path)
    again = SubtypeModel.read(path)
    assert again.classes == model.classes and again.probabilities(["wp=A@next"]) == model.probabilities(["wp=A@next"])
    again.write(tmp_path / "n.tsv")
    assert (tmp_path / "n.tsv").read_bytes() == path.read_bytes()


def test_the_learned_trigger_model_types_its_own_triggers():
    class Never:
        classes = {"Air/drone strike"}

        def choose(self, feats, sub, mode):
            raise AssertionError("the sub-type model must not run on the learned trigger model's triggers")

    from marsad.extract.trigger_model import TriggerModel

    triggers = TriggerModel.shipped()
    if triggers is None:
        return
    EventExtractor(trigger_model=triggers, subtype_model=Never())(make_doc(SHELLING_WITH_AIR_COVER))
