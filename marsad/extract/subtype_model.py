"""The learned ACLED sub-type of an attack: air or drone strike, shelling, armed clash, attack, IED ...

The rules (events.py `_acled_sub`) give an ASSAULT its sub-type from the first weapon word of the
clause in the order of weapons.tsv (an aircraft word before a shell word), else from the sentence and the
one before, else by the sides ("fight" against civilians is an Attack). On the corpus that misreads
weapon words that belong to another act of the sentence: "قصفت الفصائل بالمدفعية مواقع الجيش تحت غطاء
جوي" is shelling, not an air strike (100 rule-kept air strikes of the
corpus are annotated as shelling, 36 the other way round). This module makes the decision with a
multinomial logistic regression over where each weapon word stands from the trigger (the word right
after it, "قصفاً مدفعياً", weighs more than one at the clause's end or in the sentence before), the words
next to the trigger, a military target after it, the actor's and the recipient's sector and country,
the trigger row's rule and the rules' own choice (`subtype_features`). It decides only the events the
rules make attacks (PLOVER ASSAULT with an ACLED sub-type) and only among the attack sub-types.

Training data: the annotated corpus (corpus/annotations/*.jsonl joined with ../shared by
scripts/annot.py; docs/annotation.md): every attack of the rule path whose trigger word is the trigger
of an annotated ASSAULT, labelled with its annotated sub-type. Rebuild the shipped model
(marsad/data/events/subtypes.tsv) byte for byte, and print the document-grouped cross-validation that
measures it, with

    python -m marsad.extract.train_subtypes --shared ../shared

Weights are stored to four decimals, sorted; no library is needed at run time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from marsad.data import data_path
from marsad.text.lexicon import FormLexicon
from marsad.text.segment import Token

SUBTYPE_FILE = "subtypes.tsv"
# how far a weapon word stands from the trigger, in words of the sentence (negative: before it)
NEAR_AFTER, CLAUSE_AFTER = (1, 3), 8
NEXT_WORDS = 2


@lru_cache(maxsize=1)
def weapon_classes() -> tuple[FormLexicon, list[str], dict[str, str]]:
    """weapons.tsv as the weapon rules read it (events._weapons: form → row number), with row → sub-type
    and sub-type → mode of its first row."""
    from marsad.extract.events import _weapons

    lex, order = _weapons()
    modes: dict[str, str] = {}
    for sub, mode in order:
        modes.setdefault(sub, mode)
    return lex, [sub for sub, _ in order], modes


def _where(d: int, in_clause: bool) -> str:
    if d < 0:
        return "before1-3" if d >= -3 else "before"
    if d <= NEAR_AFTER[0]:
        return "next"
    if d <= NEAR_AFTER[1]:
        return "after2-3"
    if in_clause:
        return "clause" if d <= CLAUSE_AFTER else "clause_far"
    return "after_clause"


def _bare(word: str) -> str:
    return word.lstrip("وف") or word


def subtype_features(toks: list[Token], trig_index: int, clause_end: int, previous: list[Token],
                     military_target: bool, actor, recipient, row_rule: str | None,
                     rule_sub: str | None) -> list[str]:
    """The features of one attack's sub-type decision. `toks`: the sentence's tokens, `trig_index` the
    trigger's place among them, `previous` the tokens of the sentence before."""
    lex, classes, _ = weapon_classes()
    trig = toks[trig_index]
    out = [f"rule={rule_sub}", f"row={row_rule}", f"w={_bare(trig.norm)}"]
    for k in range(1, NEXT_WORDS + 1):
        if trig_index + k < len(toks):
            out.append(f"n{k}={_bare(toks[trig_index + k].norm)}")
    if trig_index:
        out.append(f"p1={_bare(toks[trig_index - 1].norm)}")
    seen = set()
    for i, t in enumerate(toks):
        hit = lex.lookup(t.norm)
        if not hit:
            continue
        d = i - trig_index
        where = _where(d, t.start < clause_end)
        for n in hit:
            cls = classes[n]
            out.append(f"wp={cls}@{where}")
            if (cls, "any") not in seen:
                seen.add((cls, "any"))
                out.append(f"wp={cls}@sentence")
            if abs(d) <= 3:
                out.append(f"ww={_bare(t.norm)}")
    for t in previous:
        for n in lex.lookup(t.norm):
            if (classes[n], "prev") not in seen:
                seen.add((classes[n], "prev"))
                out.append(f"wp={classes[n]}@previous")
    if military_target:
        out.append("military_target")
    for role, who in (("a", actor), ("r", recipient)):
        if who is None:
            out.append(f"{role}=none")
            continue
        out.append(f"{role}_sector={who.sector or '-'}")
        out.append(f"{role}_kind={who.kind or '-'}")
        out.append(f"{role}={who.country or '-'}/{who.sector or '-'}")
    return sorted(set(out))


@dataclass
class SubtypeModel:
    """A multinomial logistic regression: per class a bias and a weight per feature."""

    classes: list[str]
    bias: dict[str, float]
    weights: dict[str, dict[str, float]] = field(default_factory=dict)  # feature → class → weight

    def probabilities(self, feats: list[str]) -> dict[str, float]:
        z = dict(self.bias)
        for f in feats:
            for cls, w in self.weights.get(f, {}).items():
                z[cls] += w
        top = max(z.values())
        e = {c: math.exp(v - top) for c, v in z.items()}
        total = sum(e.values())
        return {c: v / total for c, v in e.items()}

    def choose(self, feats: list[str], rule_sub: str, rule_mode: str | None) -> tuple[str, str | None]:
        """The sub-type and PLOVER mode: the most probable class; the rules' mode when it is theirs,
        else the mode of that class's first row of weapons.tsv."""
        p = self.probabilities(feats)
        best = max(self.classes, key=lambda c: (p[c], c == rule_sub))
        if best == rule_sub:
            return rule_sub, rule_mode
        return best, weapon_classes()[2].get(best, rule_mode)

    def write(self, path: Path) -> None:
        lines = [f"#class\t{c}\t{self.bias[c]:.4f}" for c in self.classes]
        lines += [f"{f}\t{c}\t{w:.4f}" for f in sorted(self.weights) for c, w in sorted(self.weights[f].items())]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> "SubtypeModel":
        classes, bias, weights = [], {}, {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            name, c, value = line.split("\t")
            if name == "#class":
                classes.append(c)
                bias[c] = float(value)
            else:
                weights.setdefault(name, {})[c] = float(value)
        return cls(classes, bias, weights)

    @classmethod
    def shipped(cls) -> "SubtypeModel | None":
        path = Path(data_path("events", SUBTYPE_FILE))
        return cls.read(path) if path.exists() else None

    @classmethod
    def fit(cls, X: list[list[str]], y: list[str], c: float = 0.5) -> "SubtypeModel":
        """Fit on feature lists and sub-type labels (deterministic: lbfgs, fixed data order)."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = DictVectorizer()
        A = vec.fit_transform([{f: 1 for f in fs} for fs in X])
        clf = LogisticRegression(C=c, max_iter=5000).fit(A, y)
        classes = [str(k) for k in clf.classes_]
        if len(classes) == 2:  # sklearn keeps one row for two classes: the second class's log-odds
            coef = [-clf.coef_[0] / 2, clf.coef_[0] / 2]
            icpt = [-clf.intercept_[0] / 2, clf.intercept_[0] / 2]
        else:
            coef, icpt = list(clf.coef_), list(clf.intercept_)
        weights: dict[str, dict[str, float]] = {}
        for j, name in enumerate(vec.get_feature_names_out()):
            for k, c_ in enumerate(classes):
                w = float(round(coef[k][j], 4))
                if abs(w) >= 5e-4:
                    weights.setdefault(str(name), {})[c_] = w
        return cls(classes, {c_: float(round(icpt[k], 4)) for k, c_ in enumerate(classes)}, weights)
