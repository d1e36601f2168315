"""Pairwise precision/recall of cross-article event merging on the labelled event pairs.

    python scripts/eval_merge.py RECORDS.jsonl [--sweep]

RECORDS.jsonl: `marsad extract` output for ../shared/data/corpus/almayadeen-2023-2024.jsonl.gz;
labels: marsad/data/stories/labels/event_pairs.tsv (doc ids + event machine keys). Runs the
merger (marsad.stories.merge.EventMerger) over every event of the records, in date order, and
scores "in one merged event" against the labels. --sweep also scores the variants of the rule's
radius and day window (the shipped values were chosen from this sweep: in-sample figures).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.stories import merge  # noqa: E402
from marsad.store.store import keyed_events  # noqa: E402

LABELS = ROOT / "marsad" / "data" / "stories" / "labels" / "event_pairs.tsv"


def read_labels():
    out = []
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, ka, b, kb, y = line.split("\t")[:5]
        out.append(((a, ka), (b, kb), int(y)))
    return out


def mentions(path: Path) -> list[merge.Mention]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if "error" in r:
                continue
            for key, ev in keyed_events(r.get("events") or []):
                out.append(merge.Mention(ref=(r["doc_id"], key), doc_id=r["doc_id"], record=ev,
                                         outlet=r.get("outlet"), published=r.get("published")))
    return out


def score(ms, labels) -> tuple[float, float, int, int, int, int]:
    m = merge.EventMerger()
    for x in sorted(ms, key=lambda x: (x.day.isoformat() if x.day else "9999", str(x.ref))):
        m.add(x)
    tp = fp = fn = 0
    for a, b, y in labels:
        ga, gb = m.group_of.get(a), m.group_of.get(b)
        same = ga is not None and ga is gb
        tp += same and y
        fp += same and not y
        fn += (not same) and y
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, tp, fp, fn, len(m.groups)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("records", type=Path)
    ap.add_argument("--sweep", action="store_true")
    args = ap.parse_args(argv)
    labels = read_labels()
    ms = mentions(args.records)
    print(f"{len(labels)} labelled event pairs ({sum(y for *_, y in labels)} same event), {len(ms)} events")
    variants = [(merge.MERGE_KM, merge.DAY_WINDOW)]
    if args.sweep:
        variants += [(km, dw) for km in (30.0, 10.0, 5.0, 1.0) for dw in (0, 1)]
    shipped = (merge.MERGE_KM, merge.DAY_WINDOW)
    for km, dw in variants:
        merge.MERGE_KM, merge.DAY_WINDOW = km, dw
        p, r, tp, fp, fn, n = score(ms, labels)
        print(f"radius {km:>4.0f} km, day window {dw}: P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn}); "
              f"{len(ms)} events -> {n} merged")
    merge.MERGE_KM, merge.DAY_WINDOW = shipped
    return 0


if __name__ == "__main__":
    sys.exit(main())
