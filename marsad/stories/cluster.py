"""Incremental same-story clustering.

Documents are added in publication order. A new document

1. that near-duplicates an earlier one (dedup.py) joins that one's story;
2. that is a news bulletin (نشرة) founds a story of kind ``bulletin`` and is
   never joined by anything but its own duplicates;
3. otherwise joins the story holding its most probable same-story partner
   (model.py) among documents published within ``WINDOW_DAYS`` of it, when
   that probability reaches the model's threshold and the story began at
   most ``MAX_SPAN_DAYS`` before it (a story is a happening with its
   follow-ups, not a topic that runs for months); else it founds a story.

Earlier assignments are never revisited, so adding a day's articles touches
only the stories those articles join or found, and adding the same documents
again changes nothing. A story's id is derived from its founding document.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from marsad.stories.dedup import DuplicateIndex
from marsad.stories.model import PairModel, load_model
from marsad.stories.pairs import WINDOW_DAYS, features
from marsad.stories.profile import Profile

MAX_SPAN_DAYS = 7


def story_id_for(doc_id: str) -> str:
    return "st-" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:12]


@dataclass
class Story:
    story_id: str
    kind: str  # story | bulletin
    first_day: Optional[date]
    last_day: Optional[date]
    members: list[str] = field(default_factory=list)

    def add(self, doc_id: str, day: Optional[date]) -> None:
        self.members.append(doc_id)
        if day is not None:
            self.first_day = day if self.first_day is None else min(self.first_day, day)
            self.last_day = day if self.last_day is None else max(self.last_day, day)


@dataclass
class Assignment:
    doc_id: str
    story_id: str
    duplicate_of: Optional[str]
    probability: Optional[float]  # of the pair that decided, None for duplicates/bulletins/founders


class StoryClusterer:
    def __init__(self, model: Optional[PairModel] = None, window: int = WINDOW_DAYS):
        self.model = model or load_model()
        self.window = window
        self.profiles: dict[str, Profile] = {}
        self.story_of: dict[str, str] = {}
        self.stories: dict[str, Story] = {}
        self.by_day: dict[date, list[str]] = defaultdict(list)
        self.dups = DuplicateIndex()

    # ------------------------------------------------ state from a store
    def load(self, p: Profile, story_id: str, kind: str = "story", duplicate_of: Optional[str] = None) -> None:
        """Register a document already assigned (its profile is kept for comparisons)."""
        self.dups.add(p.doc_id, p.signature, duplicate_of=duplicate_of or p.doc_id)
        self._place(p, story_id, kind)

    def load_signature(self, doc_id: str, signature, story_id: str, duplicate_of: Optional[str] = None) -> None:
        """A document outside the comparison window: only its duplicate signature and story are needed."""
        self.dups.add(doc_id, signature, duplicate_of=duplicate_of or doc_id)
        self.story_of[doc_id] = story_id

    def _place(self, p: Profile, story_id: str, kind: str) -> None:
        st = self.stories.get(story_id)
        if st is None:
            st = self.stories[story_id] = Story(story_id, kind, None, None)
        if p.doc_id not in st.members:
            st.add(p.doc_id, p.day)
        self.profiles[p.doc_id] = p
        self.story_of[p.doc_id] = story_id
        if p.day is not None:
            self.by_day[p.day].append(p.doc_id)

    # ------------------------------------------------ assigning
    def candidates(self, p: Profile) -> list[Profile]:
        if p.day is None:
            return []
        out = []
        for d in range(-self.window, self.window + 1):
            for other in self.by_day.get(p.day + timedelta(days=d), ()):
                if other != p.doc_id:
                    out.append(self.profiles[other])
        return out

    def add(self, p: Profile) -> Assignment:
        if p.doc_id in self.story_of:  # the same document again: nothing changes
            return Assignment(p.doc_id, self.story_of[p.doc_id], self.dups.add(p.doc_id, p.signature), None)
        dup = self.dups.add(p.doc_id, p.signature)
        if dup is not None and dup in self.story_of:
            sid = self.story_of[dup]
            self._place(p, sid, self.stories[sid].kind if sid in self.stories else "story")
            return Assignment(p.doc_id, sid, dup, None)
        if p.bulletin:
            sid = story_id_for(p.doc_id)
            self._place(p, sid, "bulletin")
            return Assignment(p.doc_id, sid, dup, None)
        best: dict[str, float] = {}
        for q in self.candidates(p):
            if q.bulletin:
                continue
            sid = self.story_of[q.doc_id]
            st = self.stories.get(sid)
            if st is None or st.kind != "story":
                continue
            if st.first_day is not None and (p.day - st.first_day).days > MAX_SPAN_DAYS:
                continue
            prob = self.model.probability(features(p, q, self.model.features))
            if prob > best.get(sid, -1.0):
                best[sid] = prob
        if best:
            sid, prob = max(best.items(), key=lambda kv: (kv[1], kv[0]))
            if prob >= self.model.threshold:
                self._place(p, sid, "story")
                return Assignment(p.doc_id, sid, dup, prob)
        sid = story_id_for(p.doc_id)
        self._place(p, sid, "story")
        return Assignment(p.doc_id, sid, dup, None)

    def forget_before(self, day: date) -> None:
        """Drop profiles older than any future comparison needs (memory stays bounded on long corpora)."""
        for d in [d for d in self.by_day if d < day]:
            for doc_id in self.by_day.pop(d):
                self.profiles.pop(doc_id, None)


def order_key(p: Profile) -> tuple:
    return (p.day or date.max, p.doc_id)
