"""Event coding: triggers + arguments → PLOVER/ACLED event records.

For each sentence, each trigger (triggers.py) opens a clause that runs to the
next trigger. Its arguments come from the mentions the earlier stages found:

* location: the places in the clause after the trigger, one event per place as
  ACLED codes them ("سيطرت على الرستن وتلبيسة" → two events); a containing
  region is dropped when a town inside it is named ("بلدة الخيام في جنوب لبنان");
  with none in the clause, the sentence, then the previous sentence's place;
* date: the day-precision time nearest the trigger in the sentence, else the
  publication date (news reports today's events);
* actor: the actor right after the trigger (Arabic puts the subject after the
  verb: "سيطرت فصائل المعارضة"), unless the verb already marks its subject
  ("استهدفوا") or one stands right before it ("الأسد حث تركيا"); else the
  nearest before it; a dropped pronoun subject ("وبسطوا سيطرتهم") is the previous
  sentence's subject; forces with no country take their place's; recipient: the
  actor after على/ضد/لـ or the object after the subject;
* ACLED sub-type rules (seize/arrest/strike/fight) resolved from the actor's
  sector, the recipient, and weapon words (weapons.tsv); which kind of attack,
  learned from where the weapon words stand (subtype_model.py);
* size (counts.py), modality (modality.py), attribution (speech.py).

Negated and hypothetical events are not emitted (PLOVER: "negated events can be
excluded"); future ones are, flagged. A candidate the hand-written filters drop for
want of evidence (no place, actor or recipient named) can be brought back by the
learned rescue filter (event_filter.RescueFilter). The same event told twice (same type,
place, day and actor) is kept once, with the attributions merged.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from marsad.codes import acled_subtypes
from marsad.data import data_path
from marsad.doc import Doc
from marsad.extract.counts import count_in
from marsad.extract.modality import modality_of
from marsad.extract.speech import source_attributions, source_spans
from marsad.extract.triggers import Trigger, corpus_triggers_on, find_triggers, rule_lexicon
from marsad.records import Acled, Actor, Anchor, Event, Place, Plover, TimeExpr
from marsad.resolve.actors import nationality_of
from marsad.resolve.geo import VERY_COMMON_WORD
from marsad.text.lexicon import FormLexicon, forms, read_tsv
from marsad.text.normalize import normalize
from marsad.text.segment import Token, word_zipf
from marsad.text.spans import _UNSET, MentionIndex

STATE_SECTORS = {"GOV", "MIL", "COP", "SPY", "JUD"}
# who detains makes it an abduction (codebook: "detention by non-state groups"): armed groups, unidentified
# armed men, gangs ("خطف مسلحون مجهولون مواطناً"); a detainee misread as the actor ("اعتُقل الأسير ماهر
# الأخرس") or an actor of no known sector leaves it an arrest, by far the commoner event in the news
ABDUCTING_SECTORS = {"REB", "UAF", "CRM"}
ACTOR_AFTER_CHARS = 40
CARRY_SENTENCES = 2


@lru_cache(maxsize=1)
def _weapons() -> tuple[FormLexicon, list[tuple[str, str]]]:
    rows, order = [], []
    for n, cells in enumerate(read_tsv(data_path("events", "weapons.tsv"))):
        order.append((cells[1], cells[2]))
        for f in forms(cells[0]):
            rows.append((f, n))
    return FormLexicon(rows), order


@lru_cache(maxsize=1)
def _requirements() -> dict[str, tuple[str, bool, frozenset]]:
    """type → (what it needs, whether definite verbal nouns may state it, sectors that cannot act in it)."""
    out = {}
    for c in read_tsv(data_path("events", "requirements.tsv")):
        c += [""] * (4 - len(c))
        out[c[0]] = (c[1], c[2] != "no", frozenset(x for x in c[3].split("|") if x))
    return out


def acled_record(sub: str | None) -> Acled | None:
    if not sub:
        return None
    event_type, disorder = acled_subtypes()[sub]
    return Acled(event_type=event_type, sub_event_type=sub, disorder_type=disorder)


@dataclass
class _Sentence:
    index: int
    start: int
    end: int
    toks: list[Token]


class EventExtractor:
    """`trigger_model`: the learned trigger detector and typer (trigger_model.py), False for the
    hand-written trigger lexicon (triggers.tsv). `event_filter`: the learned keep-or-drop decision over
    candidate events (event_filter.py), False for the hand-written filters. `place_ranker`: the learned
    choice of an event's location among its sentence's places (place_ranker.py), False for the rule.

    None (the default) reads the environment. MARSAD_EVENTS=learned loads the whole learned stack,
    the three shipped models, which were trained together (the filter on the candidates of the shipped
    trigger model placed by the ranker); anything else keeps the lexicon and the rules, the default:
    the learned stack wins the corpus cross-validation but loses on the development gold and drops
    clear cases outside the corpus's domain, such as the seed article's captures of towns (README,
    "The event corpus"). MARSAD_EVENT_FILTER and MARSAD_EVENT_PLACES ("learned" or "rules") override
    one part, for measuring. `actor_ranker`: the learned choice of each event's actor (actor_ranker.py),
    on by default in both stacks (it wins the corpus cross-validation and the development gold);
    MARSAD_EVENT_ACTORS=rules or False keeps the hand rules' actor. `recipient_ranker`: the same for the
    recipient (MARSAD_EVENT_RECIPIENTS). `subtype_model`: the learned ACLED sub-type of an attack
    (subtype_model.py), on by default for the lexicon's triggers (the learned trigger model types its triggers
    itself); MARSAD_EVENT_SUBTYPES=rules keeps the weapon rules'. `rescue_filter`: on the rule path (no
    learned trigger model, no learned filter), a learned second look at the candidates the hand-written
    filters drop (event_filter.RescueFilter); what they keep stays kept. On by default;
    MARSAD_EVENT_RESCUE=rules leaves the hand-written filters alone."""

    name = "events"

    def __init__(self, trigger_model=None, event_filter=None, place_ranker=None, actor_ranker=None,
                 recipient_ranker=None, subtype_model=None, rescue_filter=None):
        stack = _env_mode("MARSAD_EVENTS", "rules")
        # None: the shipped model when the environment asks for the learned part; False: the rules
        pick = lambda given, var, default, module, cls: (  # noqa: E731
            _shipped_model(module, cls) if given is None and _env_mode(var, default) == "learned" else given) or None
        self.actor_ranker = pick(actor_ranker, "MARSAD_EVENT_ACTORS", "learned", "actor_ranker", "ActorRanker")
        self.recipient_ranker = pick(recipient_ranker, "MARSAD_EVENT_RECIPIENTS", "learned", "actor_ranker",
                                     "RecipientRanker")
        self.subtype_model = pick(subtype_model, "MARSAD_EVENT_SUBTYPES", "learned", "subtype_model", "SubtypeModel")
        self.event_filter = pick(event_filter, "MARSAD_EVENT_FILTER", stack, "event_filter", "EventFilter")
        self.place_ranker = pick(place_ranker, "MARSAD_EVENT_PLACES", stack, "place_ranker", "PlaceRanker")
        self.trigger_model = pick(trigger_model, "MARSAD_EVENTS", "rules", "trigger_model", "TriggerModel")
        self.rescue_filter = None if self.trigger_model is not None or self.event_filter is not None else \
            pick(rescue_filter, "MARSAD_EVENT_RESCUE", "learned", "event_filter", "RescueFilter")

    def __call__(self, doc: Doc) -> Doc:
        # without a learned filter the rules decide, and a candidate stops at the first rule that drops it
        cands = self.candidates(doc, complete=self.event_filter is not None or self.rescue_filter is not None)
        doc.events = dedupe([c.event for c in cands if c.keep])
        return doc

    def candidates(self, doc: Doc, complete: bool = True) -> list["Candidate"]:
        """Every event the triggers of the article could state, each with the verdicts of the rule
        filters and `keep`: the rules' decision, or the learned filter's (event_filter.py) when one is
        set. The actor carried to a sentence that drops its subject is the last rule-kept event's.
        `complete=False` leaves out the candidates a rule drops (the rules' events only, sooner)."""
        last_actor: Actor | None = None
        out: list[Candidate] = []
        for sent, trig, clause_end, previous in self.trigger_sites(doc):
            demanded = bool(previous and _demanded(previous, trig))
            if demanded and not complete:
                continue
            for c in self._candidates(doc, sent, trig, clause_end, last_actor, complete):
                c.verdicts["demanded"] = demanded
                c.previous = previous
                c.keep = c.rule_keep
                out.append(c)
                if c.rule_keep and c.event.actors:
                    last_actor = c.event.actors[0]
        decider = self.event_filter or self.rescue_filter
        if decider is not None and out:
            decider.decide(doc, out)
        return out

    def trigger_sites(self, doc: Doc):
        """(sentence, trigger, end of its clause, the trigger before it in the sentence or None)."""
        feature_cache: dict = {}
        for si, (s, e) in enumerate(doc.sentences):
            sent = _Sentence(si, s, e, doc.tokens_between(s, e))
            if self.trigger_model is not None:
                triggers = self.trigger_model.triggers(doc, si, feature_cache)
            else:
                # a word the place stage read as a place names no act: "منطقة الجرف" (the bank), not جرف
                # (bulldozed; the learned trigger model has this as a feature); nor one inside an actor's
                # name after its first word ("قوات الدعم السريع" gives no support); nor does a present tense in
                # a relative clause, which then bounds no clause either ("هجوماً على المناطق التي تسيطر
                # عليها قسد في دير الزور": the attack is in Deir ez-Zor)
                ix = MentionIndex.of(doc)
                triggers = [t for t in find_triggers(sent.toks)
                            if not ix.places.covering(t.token.start) and not _relative_present(sent, t)
                            and not any(a.span[0] < t.token.start for a in ix.actors.covering(t.token.start))]
            for n, trig in enumerate(triggers):
                clause_end = triggers[n + 1].token.start if n + 1 < len(triggers) else e
                yield sent, trig, clause_end, triggers[n - 1] if n else None

    def _candidates(self, doc: Doc, sent: _Sentence, trig: Trigger, clause_end: int,
                    last_actor, complete: bool = True) -> list["Candidate"]:
        """The events one trigger could state (one per listed place), each with the verdict of every
        rule filter: True where that rule drops it. `complete=False`: none once a rule drops them."""
        needs, definite_ok, _ = _requirements().get(trig.row.type, (None, True, frozenset()))
        before = sent.toks[max(0, trig.index - UNDERGO_WINDOW):trig.index]
        verdicts = {"purpose_or_class": _purpose_or_class(trig.token, before), "talk_plural": _talk_plural(trig),
                    "anaphoric": not definite_ok and _anaphoric(trig)}
        if not complete and any(verdicts.values()):
            return []
        actor, recipient = _actors(doc, sent, trig, clause_end)
        verdicts["no_actor"] = needs in ("actor", "actor+recipient") and actor is None
        verdicts["no_recipient"] = needs == "actor+recipient" and recipient is None
        if not complete and any(verdicts.values()):
            return []
        actor = _completed_actor(doc, sent, trig, actor, last_actor)
        if self.actor_ranker is not None:  # the learned choice among the sentence's actors (actor_ranker.py)
            actor = self.actor_ranker.choose(doc, sent, trig, clause_end, actor, last_actor)
        if self.recipient_ranker is not None:  # ... and of whom the event is done to
            recipient = self.recipient_ranker.choose(doc, sent, trig, clause_end, recipient, actor)
        when = _date(doc, sent, trig)
        modality = modality_of(sent.toks, trig.index, when, doc.published)
        verdicts["negated"], verdicts["hypothetical"] = bool(modality.negated), bool(modality.hypothetical)
        if not complete and any(verdicts.values()):
            return []
        clause = [t for t in sent.toks if trig.token.start - 30 <= t.start < clause_end]
        previous_toks = _previous_tokens(doc, sent)
        sub, mode = _acled_sub(trig, actor, recipient, clause, context=previous_toks + sent.toks)
        if trig.row.acled == "strike-if-weapon" and sub is None:
            return []  # no weapon and no military target: not an attack of any ACLED type
        subtype_feats = None
        if self.subtype_model is not None and self.trigger_model is None and trig.row.type == "ASSAULT" \
                and sub in self.subtype_model.classes:
            # which kind of attack, learned from where the weapon words stand (subtype_model.py)
            from marsad.extract.subtype_model import subtype_features

            subtype_feats = subtype_features(sent.toks, trig.index, clause_end, previous_toks,
                                             _military_target(clause, trig), actor, recipient, trig.row.acled, sub)
            sub, mode = self.subtype_model.choose(subtype_feats, sub, mode)
        places, source = _located(doc, sent, trig, clause_end)
        if self.place_ranker is not None:
            places, source = self.place_ranker.choose(doc, sent, trig, clause_end, places, source)
        verdicts["unplaced"] = not _placed(doc, trig, clause_end, needs, places, actor)
        if not complete and verdicts["unplaced"]:
            return []
        size = count_in([t for t in sent.toks if t.start < clause_end])
        attribution = source_attributions(doc, trig.token.start, trig.token.end)
        out = []
        for k, place in enumerate(places or [None]):
            who = _with_country(actor, place, doc)
            whom = _with_country(recipient, place, doc)  # "مدنيين" in Gaza are Palestinian civilians
            ev = Event(
                plover=Plover(type=trig.row.type, mode=mode, context=list(trig.row.context)),
                acled=acled_record(sub),
                actors=[who] if who else [], recipients=[whom] if whom else [],
                location=place.model_copy() if place else None, date=when, size=size.model_copy(),
                attribution=attribution, modality=modality, anchor=_anchor(doc, sent, trig, place),
                confidence=_confidence(who, place, when, sub), trigger=trig.token.text,
            )
            out.append(Candidate(ev, trig, sent, dict(verdicts), needs=needs, place_source=source,
                                 places=len(places), list_index=k, clause_end=clause_end,
                                 subtype_features=subtype_feats, aim=_purpose(trig.token, before)))
        return out


def _shipped_model(module: str, cls: str):
    """`marsad.extract.<module>.<cls>.shipped()`, imported on use (the learned parts load only when asked)."""
    import importlib

    return getattr(importlib.import_module(f"marsad.extract.{module}"), cls).shipped()


EVENT_ENV = ("MARSAD_EVENTS", "MARSAD_EVENT_FILTER", "MARSAD_EVENT_PLACES", "MARSAD_EVENT_ACTORS",
             "MARSAD_EVENT_RECIPIENTS", "MARSAD_EVENT_SUBTYPES", "MARSAD_EVENT_RESCUE")


def check_environment() -> None:
    """Raise ValueError for a misspelt MARSAD_EVENTS / MARSAD_EVENT_FILTER / MARSAD_EVENT_PLACES /
    MARSAD_EVENT_ACTORS / MARSAD_EVENT_RECIPIENTS / MARSAD_EVENT_SUBTYPES / MARSAD_EVENT_RESCUE /
    MARSAD_CORPUS_TRIGGERS (the CLI checks before it reads any input)."""
    for var in EVENT_ENV:
        _env_mode(var, "rules")
    corpus_triggers_on()


def _env_mode(var: str, default: str) -> str:
    """"rules" or "learned" from the environment; a misspelt value is an error, not the rules in silence."""
    value = os.environ.get(var, "") or default
    if value not in ("rules", "learned"):
        raise ValueError(f"{var}={value!r}: expected 'rules' or 'learned'")
    return value


@dataclass
class Candidate:
    """One event a trigger could state, before the keep-or-drop decision."""

    event: Event
    trig: Trigger
    sent: _Sentence
    verdicts: dict[str, bool]  # rule filter → whether it drops the event
    needs: str | None = None  # requirements.tsv: what the type needs stated
    place_source: str = "none"  # clause | before | previous | none: where _locations found the place
    places: int = 0  # places the trigger lists
    list_index: int = 0
    clause_end: int = 0
    previous: Trigger | None = None  # the trigger before it in the sentence
    keep: bool = True
    aim: bool = False  # a verbal noun of purpose ("لاعتقال"): an aim, never an act that happened
    subtype_features: list[str] | None = None  # what the sub-type model read (subtype_model.py)

    @property
    def rule_keep(self) -> bool:
        return not any(self.verdicts.values())


QUOTES = "\"«»“”'"
SPEECH_ACT_TYPES = {"REQUEST", "THREATEN", "REJECT", "ACCUSE"}
CONTENT_WINDOW = 3


def _demanded(previous: Trigger, trig: Trigger) -> bool:
    """"تطالب بقصف المستشفى", "هدد باعتقال": an act right after a request or threat is what is
    asked for or threatened, not something that happened."""
    return (previous.row.type in SPEECH_ACT_TYPES and trig.row.type not in SPEECH_ACT_TYPES
            and trig.index - previous.index <= CONTENT_WINDOW)


def _completed_actor(doc: Doc, sent: _Sentence, trig: Trigger, actor: Actor | None, last_actor) -> Actor | None:
    """The actor when the sentence does not name it next to the trigger: a dropped pronoun subject
    ("وبسطوا سيطرتهم") or a nationality adjective on the attack noun ("أصيب شاب في قصف إسرائيلي")."""
    if actor is None and _subject_marked(trig.token):
        actor = _carried(last_actor, doc, sent)
    national = _nationality_after(sent.toks, trig)
    if national and (actor is None or actor.sector == "CVL"):
        actor = national  # the adjective names who shelled, not the victim
    if (actor is not None and actor.sector == "CVL" and trig.row.type == "ASSAULT" and actor.span
            and actor.span[1] <= trig.token.start and not _adjacent(doc, actor, trig)):
        actor = None  # "ثلاثة أطفال باستهداف سيارتهم": civilians named before an attack are its victims
    return actor


def _placed(doc: Doc, trig: Trigger, clause_end: int, needs: str | None, places: list[Place],
            actor: Actor | None) -> bool:
    """Whether the place requirement of the event type holds (requirements.tsv)."""
    if needs == "place" and not places or needs == "place|actor" and not places and actor is None:
        return False
    if needs in ("place", "place|actor") and _anaphoric(trig):
        return bool(_clause_places(doc, trig, clause_end))
    return True


def _anchor(doc: Doc, sent: _Sentence, trig: Trigger, place: Place | None) -> Anchor:
    """The words that state the event: from the trigger to its place when the place follows it."""
    end = max(trig.token.end, place.span[1] if place and place.span and place.span[1] <= sent.end else 0)
    return Anchor(sentence=sent.index, span=[trig.token.start, end], quote=doc.text[trig.token.start:end])


def _actors(doc: Doc, sent: _Sentence, trig: Trigger, clause_end: int) -> tuple[Actor | None, Actor | None]:
    """(actor, recipient) of a trigger from the actor mentions of its sentence."""
    ix = MentionIndex.of(doc)
    speakers = [(st.span[0], st.quote_span[0]) for st in ix.statements.starting_in(sent.start, sent.end)
                if st.quote_span]
    speakers += source_spans(doc, sent.index)  # "بحسب ما أفاد مراسلون": the reporter is a source, not a target
    banned = _requirements().get(trig.row.type, (None, True, frozenset()))[2]
    # the speaker of "أفادت وسائل إعلام أن المقاومين استهدفوا" is not the one who acted
    heard = [a for a in ix.actors.starting_in(sent.start, sent.end)
             if not any(s <= a.span[0] < q for s, q in speakers)]
    # sectors that cannot carry out the event can still be its target ("اعتقال الطلاب")
    mentions = [a for a in heard if a.sector not in banned]
    after = [a for a in mentions if trig.token.end <= a.span[0] < min(clause_end, trig.token.end + ACTOR_AFTER_CHARS)]
    before = [a for a in mentions if a.span[1] <= trig.token.start]
    targets = [a for a in heard if a.sector in banned and trig.token.end <= a.span[0] < clause_end]
    actor = recipient = None
    if _subject_marked(trig.token) and before:
        # "مجاهديها استهدفوا قاعدة الاحتلال": the verb already carries its subject (وا), so what follows is the target
        return _public(_coordination_head(doc, before)), _public(after[0] if after else None)
    if before and _adjacent(doc, before[-1], trig):
        # "بشار الأسد حث تركيا على التدخل": a subject right before the verb, the object after it
        return _public(_coordination_head(doc, before)), _public(after[0] if after else None)
    if after and not _marked_recipient(doc, after[0]):
        actor = after[0]
        rest = [a for a in after[1:] + [a for a in mentions if a.span[0] >= trig.token.end + ACTOR_AFTER_CHARS
                                          and a.span[0] < clause_end]]
        recipient = rest[0] if rest else None
    else:
        actor = before[-1] if before else None
        recipient = next((a for a in mentions if trig.token.end <= a.span[0] < clause_end), None)
    if recipient is None and targets:
        recipient = targets[0]
    if recipient is not None and actor is not None and recipient.span == actor.span:
        recipient = None
    if recipient is not None and recipient.kind == "state" and trig.row.type in ("ASSAULT", "COERCE") and \
            ix.places.covering(recipient.span[0]):
        recipient = None  # "في جنوب لبنان": a country inside a place name is where, not whom
    return _public(actor), _public(recipient)


def _nationality_after(toks: list[Token], trig: Trigger) -> Actor | None:
    """"قصفاً مدفعياً إسرائيلياً", "القصف الجوي الأميركي": a nationality adjective on the trigger noun
    names the state whose forces act (sector MIL for material events, GOV for verbal ones)."""
    for t in toks[trig.index + 1:trig.index + 4]:
        hit = nationality_of(t.text)
        if hit:
            country, demonym = hit
            sector = "MIL" if trig.row.type in ("ASSAULT", "COERCE") else "GOV"
            return Actor(text=t.text, name=f"{demonym} forces" if sector == "MIL" else demonym,
                         country=country, sector=sector, kind="state", span=[t.start, t.end], source="nationality")
    return None


def _coordination_head(doc: Doc, before: list[Actor]) -> Actor:
    """"مسؤولين مصريين وأردنيين حثوا": of actors joined by و, the first one is the first actor."""
    i = len(before) - 1
    while i > 0 and doc.text[before[i - 1].span[1]:before[i].span[0]].strip() in ("", "و", "،", ","):
        i -= 1
    return before[i]


def _adjacent(doc: Doc, a: Actor, trig: Trigger) -> bool:
    gap = doc.text[a.span[1]:trig.token.start]
    return len(gap.split()) == 0 and "،" not in gap and "," not in gap


def _subject_marked(tok: Token) -> bool:
    """A plural verb ("استهدفوا", "سيطروا") or a noun with a pronoun ("سيطرتها", "استهدافها")
    names its agent before it: the actor mention that follows is not the subject."""
    w = tok.norm
    return w.endswith(("وا", "ها", "هم")) and len(w) >= 4


def _marked_recipient(doc: Doc, a: Actor) -> bool:
    """"على مواقع الجيش", "ضد المدنيين", "للحوثيين", "لـ"هيئة تحرير الشام"": the mention is what the
    act is done to (a preposition before it, or ل/ب glued to it)."""
    s = a.span[0]
    before = doc.text[max(0, s - 24):s].replace("ـ", " ").replace('"', " ").split()
    word = before[-1] if before else ""
    if len(before) >= 2 and _targets().has(normalize(word)):  # "على مواقع الحوثيين": skip the target noun
        word = before[-2]
    glued = doc.text[s - 1] if s > 0 and not doc.text[s - 1].isspace() else ""
    return word in ("على", "ضد", "بحق", "لقوات", "تجاه", "نحو", "من", "ل", "لل") or glued in ("ل", "ب") \
        or a.text[:2] in ("لل",) or (a.text[:1] == "ل" and not a.text.startswith("ال"))


def _carried(last: Actor | None, doc: Doc, sent: _Sentence) -> Actor | None:
    """A dropped pronoun subject ("دخلوا مدينة حلب", "وبسطوا سيطرتهم") is the subject of the previous
    sentence (its first actor mention), else the previous event's actor."""
    if sent.index > 0:
        s, e = doc.sentences[sent.index - 1]
        first = next(iter(MentionIndex.of(doc).actors.starting_in(s, e)), None)
        if first is not None:
            return _public(first)
    if last is None or not last.span:
        return None
    return last if MentionIndex.of(doc).sentence_of(last.span[0]) >= sent.index - CARRY_SENTENCES else None


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    return {c[0]: c[1] for c in read_tsv(data_path("iso_codes.tsv"))}


def _with_country(a: Actor | None, place: Place | None, doc: Doc) -> Actor | None:
    """"فصائل المعارضة", "الطائرات المسيرة" name no country: the forces acting in a place are, by
    default, of that place's country (else the article's most-mentioned country)."""
    if a is None or a.country or not a.sector or a.sector in ("IGO", "NGO", "MED", "JRN"):
        return a
    cc = place.country if place and place.country else _main_country(doc)
    a3 = _alpha3().get(cc or "")
    return a.model_copy(update={"country": a3}) if a3 else a


def _main_country(doc: Doc) -> str | None:
    ix = MentionIndex.of(doc)
    ix.places  # (re)indexed when the places changed, which also forgets the summaries below
    if ix.main_country is _UNSET:  # once per document, not once per event
        ix.main_country = _count_main_country(doc)
    return ix.main_country


def _count_main_country(doc: Doc) -> str | None:
    counts: dict[str, int] = {}
    for p in doc.places:
        if p.country:
            counts[p.country] = counts.get(p.country, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _public(a: Actor | None) -> Actor | None:
    if a is None:
        return None
    return Actor(text=a.text, name=a.name, country=a.country, sector=a.sector, kind=a.kind, span=a.span,
                 source=a.source)


def _date(doc: Doc, sent: _Sentence, trig: Trigger) -> TimeExpr | None:
    """The time in the sentence nearest the trigger (day precision first), else the publication date."""
    times = [t for t in MentionIndex.of(doc).times.starting_in(sent.start, sent.end) if t.value]
    if times:
        best = min(times, key=lambda t: ((t.time_precision or 3) > 1, abs(t.span[0] - trig.token.start)))
        return TimeExpr(text=best.text, value=best.value, end=best.end, time_precision=best.time_precision,
                        anchor=best.anchor, span=best.span)
    if doc.reference_date:
        return TimeExpr(value=doc.reference_date.isoformat(), time_precision=1, anchor="published")
    return None


# English words of the names of seas and straits among the regions that span several countries
WATER_WORDS = ("Sea", "Ocean", "Strait", "Gulf", "Bay")


def _wider_than_a_place(p: Place) -> bool:
    """A country or wider, no event location (CODEBOOK §4): also a continent ("اعتقالات في أوروبا") or a
    region of several countries ("الشرق الأوسط", also the newspaper «الشرق الأوسط» quoted as a source);
    a sea of several countries is a location, for attacks on ships ("في البحر الأحمر")."""
    code = p.feature_code or ""
    return code.startswith("PCL") or code == "CONT" or (
        code == "RGN" and not p.country and not any(w in (p.name or "").split() for w in WATER_WORDS))


def _located(doc: Doc, sent: _Sentence, trig: Trigger, clause_end: int) -> tuple[list[Place], str]:
    """Places of an event: the list of places right after the trigger (one event each), else the
    nearest place before it in the sentence, else the last place of the previous sentence; with
    where they were found (clause, before, previous, none)."""
    in_sent = [p for p in MentionIndex.of(doc).places.starting_in(sent.start, sent.end)
               if not _wider_than_a_place(p) and not _posted_at(doc, p)]
    clause = [p for p in in_sent if trig.token.start <= p.span[0] < clause_end]
    villages = _unlisted_villages(doc, sent, trig.token.end, clause_end, in_sent)
    if villages:
        contexts = {id(v.context) for v in villages}
        clause = sorted([p for p in clause if id(p) not in contexts] + [v.place for v in villages],
                        key=lambda p: p.span[0])
    clause = _most_specific([p for p in clause if not _names_a_government(doc, p)])
    if trig.row.type in SPEECH_ACT_TYPES:
        # a demand or threat is made where it is said, not where something is to go: "طالب الاتحاد
        # الأوروبي بإرسال الأسلحة إلى كييف", "مستعدة للذهاب إلى كييف"
        clause = _without_destinations(doc, clause)
    if clause and trig.row.type == "ASSAULT":
        # a foreign capital after an attack word names a government, not where the attack fell: "في رسالة
        # إلى واشنطن", "نظراً إلى الدور الرئيس لواشنطن" in a report on Syria; but "الهجوم على موسكو" and
        # "غارة في موسكو" are
        main = _main_country(doc)
        if main is not None:
            clause = [p for p in clause if not (_is_seat(p) and p.country != main and not _struck_at(doc, p))]
    if clause:
        listed = _listed(doc, clause)
        return (listed if trig.row.type in ("COERCE", "ASSAULT", "PROTEST") else listed[:1]), "clause"
    # a place borrowed from before the trigger or the previous sentence must lie in the article's
    # country: "واشنطن" named two sentences up is not where a drone hit a base in Syria
    main = _main_country(doc)
    local = lambda ps: [p for p in ps if (main is None or p.country == main or p.country is None)
                        and not _names_a_government(doc, p)]
    before = _most_specific(local([p for p in in_sent if p.span[1] <= trig.token.start]))
    if before:
        return before[-1:], "before"
    previous = _most_specific(local(_previous_places(doc, sent)))
    if previous and trig.row.type in ("COERCE", "ASSAULT", "PROTEST"):
        return previous[-1:], "previous"
    return [], "none"


# words after which a seat of government is a place, not its government: "في موسكو", "قرب كييف",
# "ريف دمشق", "شمال بغداد", "العاصمة الروسية موسكو"
_PLACE_CUES = frozenset(normalize(w) for w in (
    "في إلى الى من على قرب نحو باتجاه عند داخل خارج حول محيط أطراف ريف ضواحي ضاحية وسط شمال جنوب شرق غرب "
    "شمالي جنوبي شرقي غربي العاصمة عاصمة مدينة محافظة منطقة").split())


@lru_cache(maxsize=1)
def _government_seats() -> dict[str, str]:
    """Normalized name → country of the seats of government news names for their governments."""
    return {normalize(r[0]): r[1] for r in read_tsv(data_path("geo", "government_seats.tsv"))}


def _is_seat(p: Place) -> bool:
    country = _government_seats().get(normalize(p.text or ""))
    return country is not None and p.country == country


def _word_before(doc: Doc, p: Place) -> str:
    """The text right before a place, up to its last space: the preposition or the glued proclitic."""
    words = doc.text[max(0, p.span[0] - 12):p.span[0]].split()
    return words[-1] if words else ""


def _without_destinations(doc: Doc, places: list[Place]) -> list[Place]:
    """The places less those that are where something goes: "إلى كييف", "وإلى موسكو", and the names
    listed after one ("إلى كييف أو لفيف"). (Found on the out-of-region list of the 358 development
    articles, in a dev-gold article among them; corpus CV unchanged.)"""
    out, dest_end = [], None
    for p in places:
        if normalize(_word_before(doc, p)).removeprefix("و") in ("الي", "حتي") or (
                dest_end is not None and normalize(doc.text[dest_end:p.span[0]]).strip(" ،,") in ("و", "او", "")):
            dest_end = p.span[1]
            continue
        dest_end = None
        out.append(p)
    return out


def _posted_at(doc: Doc, p: Place) -> bool:
    """Where a correspondent reports from, or where an envoy accredited to someone sits, is no event
    location: "أفاد مراسل الميادين في واشنطن بتصاعد دعوات ..." (also with the spaces lost:
    "مراسلالميادينفي واشنطن"; the correspondent word at most three words before "في"), "التواصل مع
    السفير السوري لدى الاتحاد الأوروبي في بروكسل" (an envoy word, then "لدى", then "في")."""
    words = [normalize(w) for w in doc.text[max(0, p.span[0] - 90):p.span[0]].split()[-7:]]
    if not words:
        return False
    last = words[-1]
    if last not in ("في", "وفي"):
        return "مراسل" in last and last.endswith("في")  # glued: "مراسلالميادينفي"
    if any("مراسل" in w for w in words[-4:-1]):
        return True
    between = words[-7:-1]
    envoy = next((k for k, w in enumerate(between) if any(x in w for x in _ENVOYS)), None)
    return envoy is not None and "لدي" in between[envoy + 1:]


# "السفير", "سفيرة", "مندوب", "القنصل", "ممثل": an envoy "لدى" someone
_ENVOYS = ("سفير", "مندوب", "قنصل", "ممثل")


def _struck_at(doc: Doc, p: Place) -> bool:
    """"على موسكو", "في موسكو", "بموسكو": the preposition of where an attack fell, right before the name."""
    word = _word_before(doc, p)
    if word and not doc.text[p.span[0] - 1].isspace():  # a proclitic glued to the name: "وبموسكو"
        return "ب" in word
    return normalize(word) in ("علي", "في", "وفي")


def _names_a_government(doc: Doc, p: Place) -> bool:
    """A capital with no word of place before it names its government, not where something happened
    (CODEBOOK §2: the location is where it happened): "حذّرت واشنطن", "اتهمت الدفاع الروسية كييف",
    "جنود كييف", "بقيادة واشنطن"; but "في موسكو", "بموسكو", "قرب كييف", "في واشنطن وموسكو" (a list
    takes the word before its first name), "العاصمة الروسية موسكو" are places. (Reading the object of
    an attack word as a place, "قصف دمشق", changed nothing in the corpus cross-validation.)"""
    if not p.span or not _is_seat(p):
        return False
    toks = doc.tokens_between(max(0, p.span[0] - 300), p.span[1])  # enough for a list of places
    i = next((k for k, t in enumerate(toks) if t.start <= p.span[0] < t.end), None)
    if i is None:
        return False
    places = MentionIndex.of(doc).places
    k, name_start = i, p.span[0]
    while True:
        if "ب" in normalize(doc.text[toks[k].start:name_start]):
            return False  # "بموسكو", "وبواشنطن"
        k -= 1
        while k >= 0 and toks[k].norm in ("و", "،", ","):
            k -= 1
        listed = places.covering(toks[k].start) if k >= 0 else []
        if not listed:
            break
        name_start = listed[0].span[0]
    if k < 0:
        return True
    before = toks[k].norm.removeprefix("و")
    if before == "من" and k > 0:
        # "رسائل لكل من واشنطن وموسكو" (each of), "يتطلّب من واشنطن نشر السفن", "طلبت من موسكو" (asked of):
        # the governments, not "from"
        verb = toks[k - 1].norm
        if verb.lstrip("وفبل") == "كل" or "طلب" in verb or "ستدعي" in verb:
            return True
    if before in _PLACE_CUES:
        return False
    # a place noun and its adjective: "العاصمة الروسية موسكو"
    return not (k > 0 and toks[k - 1].norm.removeprefix("و") in _PLACE_CUES and _adjective_like(before))


@lru_cache(maxsize=1)
def _place_nouns() -> tuple[FormLexicon, FormLexicon]:
    rows = read_tsv(data_path("events", "place_nouns.tsv"))
    lex = lambda role: FormLexicon([(f, role) for r in rows if r[1] == role for f in forms(r[0])])
    return lex("noun"), lex("link")


@dataclass
class _Village:
    place: Place  # approximate: the context's coordinates, precision 2
    context: Place


def _unlisted_villages(doc: Doc, sent: _Sentence, start: int, end: int, in_sent: list[Place]) -> list[_Village]:
    """Villages no gazetteer lists ("بلدة الخيام", "قرية دير فول شمال حمص") are placed, as ACLED does,
    at the nearest resolvable context with precision 2: a town named in the same sentence, else the
    previous sentence's place. Each keeps its own span and Arabic name, and no GeoNames id."""
    nouns, links = _place_nouns()
    heads, settlements, function = _name_heads(), _village_lexicon("settlement"), _village_lexicon("function")
    toks = [t for t in sent.toks if start <= t.start < end]
    ix = MentionIndex.of(doc)
    covered = lambda t: bool(ix.places.covering(t.start) or ix.actors.covering(t.start))
    found = []
    for i, t in enumerate(toks[:-1]):
        # an indefinite settlement noun: "بلدة ميفدون"; "المخيم" alone points back to a camp already named
        if not settlements.has(t.norm) or "ال" in t.norm[:4] or covered(t):
            continue
        name = toks[i + 1]
        if (covered(name) or nouns.has(name.norm) or links.has(name.norm) or function.has(name.norm)
                or rule_lexicon().has(name.norm) or _adjective_like(name.norm)):
            continue
        after = toks[i + 2].norm if i + 2 < len(toks) else ""
        if after.startswith("ال") and _adjective_like(after) and _very_common(name.text):
            continue  # a common noun and its adjective: "منطقة الحدود الأردنية" ("قاعدة العند الجوية" is a name)
        last = name
        quoted = doc.text[name.start - 1:name.start] in QUOTES
        if quoted:  # موقع "جل العلام": the whole quoted name
            k = i + 1
            while k + 1 < len(toks) and k < i + 4 and not any(q in doc.text[toks[k].end:toks[k + 1].start] for q in QUOTES):
                k += 1
            last = toks[k]
        elif i + 2 < len(toks) and heads.has(name.norm) and not covered(toks[i + 2]) \
                and not any(c in doc.text[name.end:toks[i + 2].start] for c in "،,.:"):
            last = toks[i + 2]
        found.append((name.start, last.end))
    out = []
    for s, e in found:
        context = _context_place(doc, sent, s, in_sent)
        if context is None:
            continue
        text = doc.text[s:e]
        out.append(_Village(Place(text=text, name=f"{text} (near {context.name})", lat=context.lat, lon=context.lon,
                                  admin1=context.admin1, country=context.country, geo_precision=2, span=[s, e]),
                            context))
    return out


def _context_place(doc: Doc, sent: _Sentence, pos: int, in_sent: list[Place]) -> Place | None:
    """The nearest place that can stand for an unlisted village, in the article's main country
    (a town of another country named in the sentence is rarely where the village is)."""
    main = _main_country(doc)
    towns = [p for p in in_sent if p.lat is not None and (main is None or p.country == main)]
    after = [p for p in towns if p.span[0] > pos]
    if after:
        return after[0]
    if towns:
        return towns[-1]
    previous = [p for p in _most_specific(_previous_places(doc, sent))
                if p.lat is not None and (main is None or p.country == main)]
    if previous:
        return previous[-1]
    return _main_place(doc)


def _main_place(doc: Doc) -> Place | None:
    """The article's most-mentioned place below country level ("جنوب لبنان" in a border report)."""
    ix = MentionIndex.of(doc)
    ix.places
    if ix.main_place is _UNSET:  # once per document
        ix.main_place = _count_main_place(doc)
    return ix.main_place


def _count_main_place(doc: Doc) -> Place | None:
    counts: dict[tuple, list[Place]] = {}
    for p in doc.places:
        if p.lat is not None and p.geonameid and not _wider_than_a_place(p):
            counts.setdefault((p.geonameid,), []).append(p)
    if not counts:
        return None
    best = max(counts.values(), key=len)
    return best[0] if len(best) >= 2 else None


def _name_heads() -> FormLexicon:
    return _village_lexicon("name_head")


@lru_cache(maxsize=None)
def _village_lexicon(role: str) -> FormLexicon:
    rows = read_tsv(data_path("events", "place_nouns.tsv"))
    return FormLexicon([(f, True) for r in rows if r[1] == role for f in forms(r[0])])


def _very_common(word: str) -> bool:
    """A word this common in Arabic text (wordfreq Zipf, as the place guards use it) is a noun before it is
    a name: "الحدود" 5.15, "الجيش" 5.5; not "الخيام" 3.75 or "العند" (unlisted)."""
    return word_zipf(word.strip("،,.:؛\"«»")) >= VERY_COMMON_WORD


def _adjective_like(w: str) -> bool:
    """Nisba adjectives and plurals are not village names: "مواقع مدنية", "المدينة الساحلية"."""
    return w.endswith(("يه", "يين", "يون", "ات")) or (not w.startswith("ال") and w.endswith("ي"))


def _listed(doc: Doc, places: list[Place]) -> list[Place]:
    """The first place and those listed after it: between two listed places stand only place nouns,
    coordinators and a few adjectives ("مدينة الرستن الاستراتيجية وبلدة تلبيسة")."""
    nouns, links = _place_nouns()
    out = [places[0]]
    for p in places[1:]:
        gap = doc.text[out[-1].span[1]:p.span[0]].split()
        other = [w for w in gap if w not in ("و", "،", ",") and not nouns.has(_norm(w)) and not links.has(_norm(w))]
        if other or len(gap) > 4:
            break
        out.append(p)
    return out


def _norm(w: str) -> str:
    return normalize(w.strip("،,.:؛"))


# "تعرضت القاعدة لهجوم", "يتعرض لقصف": the ل of a verb of undergoing, not of purpose
UNDERGO = frozenset(normalize(w) for w in ("تعرض", "تعرضت", "تعرضوا", "يتعرض", "تتعرض", "يتعرضون", "وتعرض",
                                            "وتعرضت", "تعرضه", "تعرضها", "تعرضهم"))
UNDERGO_WINDOW = 4  # the verb, its subject between: "تعرضت قاعدة عين الأسد لهجوم"


def _purpose_or_class(tok: Token, before: list[Token] = ()) -> bool:
    """Verbal nouns that do not report one event: with ل of purpose, or definite plurals that name a
    class of events ("الاعتداءات", "والاعتقالات والمداهمات")."""
    w = tok.norm
    return _purpose(tok, before) or w.startswith(("ال", "وال", "بال", "فال")) and w.endswith("ات")


def _purpose(tok: Token, before: list[Token] = ()) -> bool:
    """A verbal noun with the ل of purpose: "لمواجهة", "لاعتقال" = in order to; not after a verb of
    undergoing ("تعرضت لهجوم")."""
    w = tok.norm
    lex = rule_lexicon()
    return w.startswith("ل") and not w.startswith("لل") and w not in lex.index and bool(lex.lookup(w[1:])) \
        and not any(t.norm in UNDERGO for t in before)


# relative pronouns (closed class): "المناطق التي تسيطر عليها", "القرار الذي يدعو إلى"
RELATIVE_PRONOUNS = frozenset(normalize(w) for w in ("التي", "الذي", "الذين", "اللتي", "اللذين", "اللتين",
                                                      "اللواتي", "اللاتي"))


def _relative_present(sent: "_Sentence", trig: Trigger) -> bool:
    """A present-tense verb right after a relative pronoun describes what something is or does, not an act
    being reported: "المناطق التي تسيطر عليها قسد" (held, not taken), "الطائرات التي تستهدف المنازل". On the
    corpus 126 of 129 such lexicon triggers are no annotated event; a past tense ("الذين اعتقلوا",
    "الذين تصدّوا") still reports one."""
    i = trig.index
    if i == 0 or sent.toks[i - 1].norm not in RELATIVE_PRONOUNS:
        return False
    w = trig.token.norm
    return w[:1] in ("ي", "ت") and not w.endswith(("ت", "وا"))


def _talk_plural(trig: Trigger) -> bool:
    """"مطالبات", "اتهامات", "تهديدات": plural nouns of speech acts report talk about talk."""
    return trig.row.type in SPEECH_ACT_TYPES and trig.token.norm.endswith("ات")


def _anaphoric(trig: Trigger) -> bool:
    """A definite verbal noun ("الهجوم", "الاشتباكات") usually refers back to an event already told. The
    article is one only when the word without it is a trigger too: "التقى" (met) and "التقت" are verbs."""
    w = trig.token.norm
    lex = rule_lexicon()
    for p in ("ال", "وال", "بال", "فال", "لل"):
        if w.startswith(p):
            return bool(lex.lookup(w[len(p):]))
    return False


def _clause_places(doc: Doc, trig: Trigger, clause_end: int) -> list[Place]:
    return [p for p in MentionIndex.of(doc).places.starting_in(trig.token.start, clause_end)
            if not _wider_than_a_place(p)]


def _previous_places(doc: Doc, sent: _Sentence) -> list[Place]:
    if sent.index == 0:
        return []
    s, e = doc.sentences[sent.index - 1]
    return [p for p in MentionIndex.of(doc).places.starting_in(s, e) if not _posted_at(doc, p)]


def _most_specific(places: list[Place]) -> list[Place]:
    """Distinct non-country places, dropping a region that contains a named town
    ("بلدة الخيام في جنوب لبنان", "قرية X في ريف حلب" → the town only)."""
    places = [p for p in places if not _wider_than_a_place(p)]
    out: list[Place] = []
    for p in places:
        if any(q.geonameid == p.geonameid and q.geo_precision == p.geo_precision
               and (p.geonameid is not None or q.text == p.text) for q in out):
            continue
        out.append(p)
    towns = [p for p in out if (p.geo_precision or 1) == 1]
    # a region (precision 3) named beside a town contains it ("مجدل شمس في الجولان المحتل"); a precision-2
    # place ("ريف حلب") is kept unless a town of its admin-1 is named
    return [p for p in out if (p.geo_precision or 1) == 1
            or (p.geo_precision == 2 and not any(t.admin1 and t.admin1 == p.admin1 for t in towns))
            or (p.geo_precision == 3 and not towns)]


def _acled_sub(trig: Trigger, actor: Actor | None, recipient: Actor | None, clause: list[Token],
               context: list[Token] = ()) -> tuple[str | None, str | None]:
    """Resolve the ACLED rule of a trigger row to a sub-event type (and refine the PLOVER mode).
    `context` (the sentence and the one before) names the weapon when the clause does not:
    "شنت مقاتلات التحالف غارات ... وقصف أهدافاً أخرى" is still an air strike."""
    rule, mode = trig.row.acled, trig.row.mode
    sector = actor.sector if actor else None
    if rule == "seize":
        # "استعاد الجيش السيطرة" / state actor → government regains; otherwise a non-state group took it
        state = sector in STATE_SECTORS or (actor is not None and actor.kind == "state")
        if actor is None and trig.token.norm.lstrip("و").startswith(("استعاد", "يستعيد", "تستعيد")):
            state = True
        return ("Government regains territory" if state else "Non-state actor overtakes territory"), mode
    if rule == "arrest":
        return ("Abduction/forced disappearance" if sector in ABDUCTING_SECTORS else "Arrests"), mode
    if rule in ("strike", "fight"):
        weapon = _weapon(clause)
        if weapon:
            sub, wmode = weapon
            if sub == "Armed clash" and recipient is not None and recipient.sector == "CVL":
                sub = "Attack"
            return sub, wmode
        if rule == "fight":
            civilian = recipient is not None and recipient.sector == "CVL"
            return ("Attack" if civilian else "Armed clash"), mode or "firearms"
        return _weapon(context) or ("Shelling/artillery/missile attack", mode)
    if rule == "strike-if-weapon":  # "استهدفت" alone is not an attack: "حملات استهدفت الشبان"
        weapon = _weapon(clause)
        if weapon:
            return weapon
        if not _military_target(clause, trig):
            return None, None
        return _weapon(context) or ("Shelling/artillery/missile attack", mode)
    if rule == "assault":  # "اعتداء ... بالضرب": violence against people unless a weapon says otherwise
        return (_weapon(clause) or ("Attack", mode or "beat"))
    return rule, mode


def _previous_tokens(doc: Doc, sent: _Sentence) -> list[Token]:
    if sent.index == 0:
        return []
    s, e = doc.sentences[sent.index - 1]
    return doc.tokens_between(s, e)


def _military_target(clause: list[Token], trig: Trigger) -> bool:
    after = [t for t in clause if t.start >= trig.token.end][:6]
    return any(_targets().has(t.norm) for t in after)


@lru_cache(maxsize=1)
def _targets() -> FormLexicon:
    return FormLexicon([(f, True) for c in read_tsv(data_path("events", "targets.tsv")) for f in forms(c[0])])


def _weapon(clause: list[Token]) -> tuple[str, str] | None:
    lex, order = _weapons()
    hits = [lex.lookup(t.norm) for t in clause]
    found = sorted(n for h in hits for n in h)
    return order[found[0]] if found else None


def _confidence(actor, place, when, sub) -> float:
    c = 0.45 + 0.15 * (place is not None) + 0.15 * (actor is not None)
    c += 0.1 * bool(when and when.anchor != "published") + 0.1 * (sub is not None)
    return round(min(c, 0.95), 2)


def _key(e: Event) -> tuple:
    """Unlocated events (mostly verbal ones) are only the same when stated with the same word."""
    loc = e.location
    where = (loc.geonameid, loc.text if loc.geonameid is None else None) if loc else \
        ("unlocated", normalize(e.trigger or "").lstrip("وف"))
    return (e.plover.type, e.acled.sub_event_type if e.acled else None, where, e.date.value if e.date else None)


def _who(e: Event) -> tuple | None:
    a = e.actors[0] if e.actors else None
    return (a.country, a.sector) if a else None


def dedupe(events: list[Event]) -> list[Event]:
    """One record per (type, place, day, actor): the same event told twice is kept once. A retelling
    that names no actor merges into one that does (and the other way round)."""
    kept: list[Event] = []
    by_key: dict[tuple, list[Event]] = {}
    for e in events:
        same = next((k for k in by_key.get(_key(e), []) if None in (_who(k), _who(e)) or _who(k) == _who(e)), None)
        if same is None:
            kept.append(e)
            by_key.setdefault(_key(e), []).append(e)
            continue
        if not same.actors and e.actors:
            same.actors = e.actors
        for a in e.attribution:
            if a not in same.attribution:
                same.attribution.append(a)
        for f in ("dead", "injured", "arrested"):
            if getattr(same.size, f) is None and getattr(e.size, f) is not None:
                setattr(same.size, f, getattr(e.size, f))
    return kept
