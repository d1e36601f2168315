"""A logistic regression over sets of string features, as the learned decisions of the event stage
store it (event_filter.py, actor_ranker.py): a bias, one weight per feature (four decimals, sorted by
name, one TSV file) and a decision threshold. Scoring needs no library; training uses scikit-learn."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path


def bucket(x: int, edges: tuple[int, ...]) -> str:
    """A count as a feature value: the first edge it does not exceed ("3" for 3 of (1, 3, 8)), else ">last"."""
    for e in edges:
        if x <= e:
            return str(e)
    return f">{edges[-1]}"


@dataclass
class SparseLogit:
    bias: float
    weights: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.5

    def settings(self) -> dict[str, float]:
        """The decision settings written above the bias ("#threshold"); subclasses add theirs."""
        return {"threshold": self.threshold}

    def probability(self, feats: list[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in feats)
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def write(self, path: Path) -> None:
        lines = [f"#{name}\t{value:.4f}" for name, value in self.settings().items()] + [f"#bias\t{self.bias:.4f}"]
        lines += [f"{n}\t{w:.4f}" for n, w in sorted(self.weights.items())]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path):
        bias, settings, weights = 0.0, {}, {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            name, _, value = line.rpartition("\t")
            if name == "#bias":
                bias = float(value)
            elif name.startswith("#"):
                settings[name[1:]] = float(value)
            elif name:
                weights[name] = float(value)
        return cls(bias, weights, **settings)

    @classmethod
    def fit(cls, X: list[list[str]], y: list[bool], c: float = 0.5, threshold: float = 0.5):
        """Fit on feature lists and labels (deterministic: lbfgs, fixed data order)."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        if len(set(y)) < 2:
            return cls(4.0 if (y and y[0]) else -4.0, {}, threshold)
        vec = DictVectorizer()
        A = vec.fit_transform([{f: 1 for f in fs} for fs in X])
        clf = LogisticRegression(C=c, max_iter=5000).fit(A, y)
        names = vec.get_feature_names_out()
        weights = {str(n): float(round(w, 4)) for n, w in zip(names, clf.coef_[0]) if abs(w) >= 5e-4}
        return cls(float(round(clf.intercept_[0], 4)), weights, threshold)
