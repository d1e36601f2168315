"""Draw candidate article and event pairs for labelling (seeded, rerunnable), as TSV rows without labels.

    python scripts/sample_story_pairs.py articles RECORDS.jsonl [--seed 12] [--per-stratum 30,25,25,0]
    python scripts/sample_story_pairs.py events RECORDS.jsonl [--seed 12] [--per-stratum 20,20,0]

RECORDS.jsonl: `marsad extract` output of ../shared/data/corpus/almayadeen-2023-2024.jsonl.gz.
Pairs already in marsad/data/stories/labels are skipped; the same records, seed and counts
give the same rows. The label column is left as "?": a person reads both articles (or both
event anchors in their articles) and fills it in by docs/stories.md's definitions.

Article strata (two documents at most 3 days apart, bulletins left out):
  close            title+lead sentence-encoder cosine >= 0.55: follow-ups and the hard negatives
                   that look like them;
  place-other-day  a shared specific place (town, camp, crossing) 1 to 3 days apart, cosine < 0.55;
  topic-same-day   the same day, cosine 0.35 to 0.55 (one topic, often two happenings);
  tfidf-close      title+lead TF-IDF cosine >= 0.3 (corpus document frequencies, profile.tfidf), 0 to 3
                   days apart, whatever the sentence-encoder cosine: the pairs that share specific words.
Event strata (events of two documents, the same PLOVER type, both dated to the day and placed):
  same-day-near    the same day and <= 10 km (a country or region id counts as a place);
  near-miss        1 day apart or 10 to 50 km apart: what a wider rule would merge;
  specific-same-day  the same day, both at a specific place (not a country or region) <= 10 km
                   apart, the same ACLED sub-event type: the likeliest reports of one event.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.stories.geo import km  # noqa: E402
from marsad.stories.labels import read_article_pairs, read_event_pairs  # noqa: E402
from marsad.stories.merge import Mention, _broad  # noqa: E402
from marsad.stories.profile import cosine, embed, profile  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from train_story_pairs import read_records  # noqa: E402  (one reader of extracted records for these scripts)


def article_candidates(profiles: list) -> dict[str, list[tuple[str, str]]]:
    embed(profiles)
    by_day = defaultdict(list)
    for p in profiles:
        if p.day is not None and not p.bulletin:
            by_day[p.day].append(p)
    strata: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for day in sorted(by_day):
        for d in range(0, 4):
            for a in by_day[day]:
                for b in by_day.get(day + timedelta(days=d), ()):
                    if d == 0 and a.doc_id >= b.doc_id:
                        continue
                    cos = float(a.vector @ b.vector)
                    pair = tuple(sorted((a.doc_id, b.doc_id)))
                    if cos >= 0.55:
                        strata["close"].append(pair)
                    elif d >= 1 and a.places & b.places:
                        strata["place-other-day"].append(pair)
                    elif d == 0 and cos >= 0.35:
                        strata["topic-same-day"].append(pair)
                    if cosine(a.lead_terms, b.lead_terms) >= 0.3:
                        strata["tfidf-close"].append(pair)
    return strata


def event_candidates(records: list[dict]) -> dict[str, list[tuple]]:
    ms = []
    for r in records:
        for ev in r.get("events") or []:
            m = Mention(ref=None, doc_id=r["doc_id"], record=ev)
            loc = m.location
            if m.day is None or not m.ptype or loc.get("lat") is None or loc.get("geonameid") is None:
                continue
            ms.append(m)
    by_key = defaultdict(list)
    for m in ms:
        by_key[(m.ptype, m.day)].append(m)
    strata: dict[str, list[tuple]] = defaultdict(list)
    for (ptype, day), group in sorted(by_key.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        for d in (0, 1):
            other = group if d == 0 else by_key.get((ptype, day + timedelta(days=1)), [])
            for i, a in enumerate(group):
                for b in (other[i + 1:] if d == 0 else other):
                    if a.doc_id == b.doc_id:
                        continue
                    la, lb = a.location, b.location
                    dist = 0.0 if la["geonameid"] == lb["geonameid"] else km(la["lat"], la["lon"], lb["lat"], lb["lon"])
                    if dist > 50:
                        continue
                    name = "same-day-near" if d == 0 and dist <= 10 else "near-miss"
                    strata[name].append((a, b))
                    if (name == "same-day-near" and not _broad(la) and not _broad(lb)
                            and a.sub_type and a.sub_type == b.sub_type):
                        strata["specific-same-day"].append((a, b))
    return strata


def anchor(m: Mention) -> str:
    s = m.record["anchor"]["span"]
    return f"{s[0]}:{s[1]}:{m.ptype}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=("articles", "events"))
    ap.add_argument("records", type=Path)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--per-stratum", default=None, help="comma-separated counts, in the strata order above")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    records = list(read_records(args.records))
    if args.kind == "articles":
        done = {tuple(sorted((a, b))) for a, b, _ in read_article_pairs()}
        strata = article_candidates([profile(r) for r in records])
        names = ("close", "place-other-day", "topic-same-day", "tfidf-close")
        counts = [int(c) for c in (args.per_stratum or "30,25,25,0").split(",")]
        used_docs: set[str] = set()
        for name, n in zip(names, counts):
            pool = sorted(p for p in strata[name] if p not in done)
            rng.shuffle(pool)
            taken = 0
            print(f"# {name}: {len(pool)} candidates", file=sys.stderr)
            for a, b in pool:
                if taken >= n:
                    break
                if a in used_docs and b in used_docs:  # spread the sample over many documents
                    continue
                used_docs |= {a, b}
                print(f"{a}\t{b}\t?\t{name}")
                taken += 1
    else:
        done = {(p.doc_a, str(p.anchor_a), p.doc_b, str(p.anchor_b)) for p in read_event_pairs()}
        strata = event_candidates(records)
        names = ("same-day-near", "near-miss", "specific-same-day")
        counts = [int(c) for c in (args.per_stratum or "20,20,0").split(",")]
        for name, n in zip(names, counts):
            pool = [(a, b) for a, b in strata[name] if (a.doc_id, anchor(a), b.doc_id, anchor(b)) not in done]
            pool.sort(key=lambda ab: (ab[0].doc_id, anchor(ab[0]), ab[1].doc_id, anchor(ab[1])))
            rng.shuffle(pool)
            print(f"# {name}: {len(pool)} candidates", file=sys.stderr)
            seen_docs: set[tuple[str, str]] = set()
            taken = 0
            for a, b in pool:
                if taken >= n:
                    break
                if (a.doc_id, b.doc_id) in seen_docs:  # one pair per document pair
                    continue
                seen_docs.add((a.doc_id, b.doc_id))
                print(f"{a.doc_id}\t{anchor(a)}\t{b.doc_id}\t{anchor(b)}\t?\t{name}")
                taken += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
