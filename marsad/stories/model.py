"""Pair classifiers shipped as logistic regressions in plain JSON.

The same-story model (``data/stories/pair_model.json``, over pairs.FEATURES)
and the same-event model (``data/stories/event_model.json``, over
merge.EVENT_FEATURES) are both a `PairModel`: feature names,
standardization, coefficients and a decision threshold, so they load without
scikit-learn and rebuild byte for byte with ``scripts/train_story_pairs.py``
and ``scripts/eval_merge.py --write`` from the labelled pairs in
``data/stories/labels/``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from marsad.stories.pairs import ALL_FEATURES


@dataclass(frozen=True)
class PairModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability_of(self, table: dict[str, float]) -> float:
        return self.probability([table[n] for n in self.features])

    def probability(self, x: list[float]) -> float:
        z = self.intercept
        for v, m, s, c in zip(x, self.mean, self.scale, self.coef):
            z += c * (v - m) / s
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def same(self, x: list[float]) -> bool:
        return self.probability(x) >= self.threshold

    def to_json(self) -> str:
        return json.dumps({"features": list(self.features), "mean": [round(v, 6) for v in self.mean],
                           "scale": [round(v, 6) for v in self.scale], "coef": [round(v, 6) for v in self.coef],
                           "intercept": round(self.intercept, 6), "threshold": self.threshold}, indent=1) + "\n"

    @classmethod
    def from_dict(cls, d: dict, known: tuple[str, ...] = ALL_FEATURES) -> "PairModel":
        unknown = [n for n in d["features"] if n not in known]
        if unknown:
            raise ValueError(f"pair model features {unknown} are not computed by this version; retrain it "
                             "(python scripts/train_story_pairs.py / scripts/eval_merge.py --write)")
        return cls(tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]),
                   float(d["intercept"]), float(d["threshold"]))


def model_path() -> Path:
    from marsad.data import data_path

    return data_path("stories", "pair_model.json")


@lru_cache(maxsize=4)
def load_model(path: Optional[str] = None) -> PairModel:
    p = Path(path) if path else model_path()
    return PairModel.from_dict(json.loads(p.read_text(encoding="utf-8")))


def event_model_path() -> Path:
    from marsad.data import data_path

    return data_path("stories", "event_model.json")


@lru_cache(maxsize=4)
def load_event_model(path: Optional[str] = None) -> PairModel:
    from marsad.stories.merge import EVENT_FEATURES

    p = Path(path) if path else event_model_path()
    return PairModel.from_dict(json.loads(p.read_text(encoding="utf-8")), known=EVENT_FEATURES)
