"""The learned actor choice (marsad/extract/actor_ranker.py): candidates, features, the shipped model."""
from test_events import make_doc

from marsad.extract.actor_ranker import ActorRanker, actor_candidates, candidate_features, country_in_context
from marsad.extract.events import EventExtractor
from marsad.extract.train_actor_ranker import fit


def events(text: str, ranker=None):
    return EventExtractor(actor_ranker=ranker)(make_doc(text)).events


def test_shipped_ranker_loads_and_is_used_by_default():
    ranker = ActorRanker.shipped()
    assert ranker is not None and len(ranker.weights) > 50
    assert isinstance(EventExtractor().actor_ranker, ActorRanker)
    assert EventExtractor(actor_ranker=False).actor_ranker is None


def test_the_weights_decide_between_the_candidates():
    text = "قالت فصائل المعارضة إن الطائرات الروسية أمس قصفت حمص."  # no mention glued to the verb
    before = ActorRanker(0.0, {"where=before": 2.0, "before_rank=1": 3.0}, 0.0)
    [e] = events(text, before)
    assert e.actors[0].name == "Syrian opposition factions"  # the farther mention before the verb
    nearest = ActorRanker(0.0, {"before_rank=0": 3.0}, 0.0)
    [e] = events(text, nearest)
    assert e.actors[0].name == "Russian air force"
    # below the threshold there is no actor
    [e] = events("اعتقل عشرة أشخاص في حمص.", ActorRanker(-5.0, {}, 0.5))
    assert not e.actors


def test_candidates_and_their_features():
    from marsad.extract.events import EventExtractor as X

    doc = make_doc("قصف الجيش السوري مواقع فصائل المعارضة في حلب.")
    stage = X(actor_ranker=False)
    seen = []

    class Spy:
        def choose(self, doc, sent, trig, clause_end, rule_actor, last_actor):
            cands = actor_candidates(doc, sent, trig, rule_actor, last_actor)
            seen.append((cands, candidate_features(doc, sent, trig, clause_end, cands, rule_actor, [])))
            return rule_actor

    stage.actor_ranker = Spy()
    stage(doc)
    [(cands, feats)] = seen
    names = [c.name for c in cands]
    assert names == ["Syrian army", "Syrian opposition factions"]
    army, rebels = feats
    assert "where=after" in army and "after_rank=0" in army and "rule_choice" in army
    assert "after_rank=1" in rebels and "other_right_after" in rebels
    assert all(f"mat|{x}" in army for x in ("where=after", "after_rank=0"))


def test_shipped_ranker_on_plain_sentences():
    [e] = events("قصفت الطائرات الروسية أطراف مدينة حلب.")
    assert e.actors[0].name == "Russian air force"
    # a subject right after a past verb stays the actor (verb-first order)
    [e] = events("اعتقلت قوات الأمن عشرة من الشبان في حمص.")
    assert e.actors[0].sector == "COP"


def test_pairwise_fit_is_deterministic_and_ranks_the_right_candidate_first():
    rows = {"a": [([["where=before", "adjacent"], ["where=after"]], [True, False], False)] * 5,
            "b": [([["where=after", "marked_recipient"], ["where=before"]], [False, True], False)] * 5}
    m1, m2 = fit(rows, ["a", "b"]), fit(rows, ["a", "b"])
    assert m1.weights == m2.weights and m1.threshold == 0.0
    assert m1.probability(["where=before"]) > m1.probability(["where=after"])


def test_country_table_gives_a_generic_actor_the_country_of_the_article():
    from marsad.records import Actor, Place

    text = "قصفت المقاومة موقعاً في الخيام."
    doc = make_doc(text)
    i = text.index("الخيام")
    doc.places.append(Place(text="الخيام", name="Khiam", geonameid=1, lat=33.33, lon=35.61, country="LB",
                            geo_precision=1, span=[i, i + 6]))
    ranker = ActorRanker(0.0, {}, 0.0)
    ranker.countries = {("المقاومه", "LB"): "LBN", ("حزب الله", "LB"): "IRN"}
    resistance = Actor(text="المقاومة", country="PSE", sector="REB", kind="group", span=[5, 13])
    assert country_in_context(ranker.countries, doc, resistance).country == "LBN"
    # an organisation (or a person, or a state) keeps its own country
    hezbollah = Actor(text="حزب الله", country="LBN", sector="REB", kind="organization", span=[5, 13])
    assert country_in_context(ranker.countries, doc, hezbollah).country == "LBN"
    # elsewhere the lexicon's country stays
    ranker.countries = {("المقاومه", "YE"): "YEM"}
    assert country_in_context(ranker.countries, doc, resistance).country == "PSE"


def test_recipient_ranker_chooses_among_the_mentions_or_none_but_never_the_actor():
    from marsad.extract.actor_ranker import RecipientRanker
    from marsad.records import Actor

    assert isinstance(EventExtractor().recipient_ranker, RecipientRanker)
    assert RecipientRanker.shipped().countries and ActorRanker.shipped().countries  # the country tables
    text = "اعتقلت قوات الأمن الشبان في حمص."

    def run_with(ranker):
        doc = make_doc(text)
        i = text.index("الشبان")
        doc.organizations.append(Actor(text="الشبان", span=[i, i + 6], sector="CVL", kind="group"))
        return EventExtractor(actor_ranker=False, recipient_ranker=ranker)(doc).events

    # the actor (security forces, before the object) is no candidate, whatever the weights say
    [e] = run_with(RecipientRanker(0.0, {"where=after": 3.0, "kind=organization": 5.0}, 0.0))
    assert e.actors[0].sector == "COP" and e.recipients[0].sector == "CVL"
    # a recipient takes the country of the event's place, as an actor does ("الشبان" in Homs are Syrian)
    assert e.recipients[0].country == "SYR"
    [e] = run_with(RecipientRanker(0.0, {"none": 5.0}, 0.0))
    assert e.recipients == []
