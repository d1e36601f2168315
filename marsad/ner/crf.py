"""Numeric scoring of a trained crfsuite model: the same labels and marginals as
`pycrfsuite.Tagger`, several times faster, without per-token string feature lists.

crfsuite scores a token's label as the sum of the weights of (attribute, label)
features over the token's attributes, adds label-to-label transition weights, and
decodes with Viterbi; marginals come from scaled forward-backward. This module
does the same arithmetic on arrays:

* `CrfWeights.load(model)` reads the model file once (its exact float64
  weights): an attribute -> row index, a weight matrix (attributes x labels)
  and the transition matrix. Attributes the model does not know weigh nothing, as in crfsuite.
* `CrfScorer` turns each word type into score vectors once, through the feature
  function's split (`marsad.ner.features.word_features` / `position_features`):
  its own row sum and one row sum per neighbour offset it gives attributes to.
  These vectors (a few hundred bytes per word) live in a cache bounded in bytes
  (`marsad.text.cache.ByteCache`).
  A token's emission scores are then its word's own vector plus the context
  vectors of its neighbours plus the few position attributes (bigrams, edges).
* Viterbi and forward-backward run over all sentences of a document in one
  call, compiled with numba (or, without numba, in numpy over sentences grouped
  by length), with crfsuite's arithmetic and tie-breaking (first label wins a
  tie), so the labels are crfsuite's, and marginals agree to ~1e-15.

Nothing here knows which attributes the features produce: any feature module
with `word_features` and `position_features` (attribute strings) works, and
retraining only changes the model file.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Callable, Sequence

import struct

import numpy as np

from marsad.text.cache import ByteCache


_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("w", "<f8")])


def _cqdb_strings(buf: bytes, off: int, n: int) -> list[str]:
    """The n strings of a CQDB chunk, by id (its backward array holds each record's offset;
    a record is id, key size, key bytes ending in NUL)."""
    if buf[off:off + 4] != b"CQDB":
        raise ValueError("not a CQDB chunk")
    bwd_size, bwd_offset = struct.unpack_from("<II", buf, off + 16)
    offsets = np.frombuffer(buf, dtype="<u4", count=min(n, bwd_size), offset=off + bwd_offset)
    out = []
    for o in offsets.tolist():
        _, ksize = struct.unpack_from("<II", buf, off + o)
        out.append(buf[off + o + 8: off + o + 8 + ksize - 1].decode("utf-8"))
    return out


@dataclass
class CrfWeights:
    labels: list[str]  # label names by crfsuite label id
    attr_index: dict[str, int]  # attribute string -> row of `state`
    state: np.ndarray  # (attributes, labels) float64
    trans: np.ndarray  # (labels, labels): trans[i, j] = weight of label i followed by label j

    @classmethod
    def load(cls, path: Path | str) -> "CrfWeights":
        """Read a crfsuite model file (format of crfsuite's crf1d_model.c): the header's chunk offsets,
        the FEAT chunk (type, source, destination, float64 weight; type 0 = attribute -> label,
        1 = label -> label), and the label and attribute names from their CQDB chunks."""
        buf = Path(path).read_bytes()
        head = struct.unpack_from("<4sI4sIIIIIIIII", buf, 0)
        if head[0] != b"lCRF" or head[2] != b"FOMC":
            raise ValueError(f"{path}: not a crfsuite CRF1d model")
        n_labels, n_attrs, off_feat, off_labels, off_attrs = head[5], head[6], head[7], head[8], head[9]
        if buf[off_feat:off_feat + 4] != b"FEAT":
            raise ValueError(f"{path}: no feature chunk")
        n_feat = struct.unpack_from("<I", buf, off_feat + 8)[0]
        feats = np.frombuffer(buf, dtype=_FEATURE, count=n_feat, offset=off_feat + 12)
        labels = _cqdb_strings(buf, off_labels, n_labels)
        attrs = _cqdb_strings(buf, off_attrs, n_attrs)
        st = feats[feats["type"] == 0]
        state = np.zeros((n_attrs, n_labels))
        np.add.at(state, (st["src"].astype(np.int64), st["dst"].astype(np.int64)), st["w"])
        tr = feats[feats["type"] == 1]
        trans = np.zeros((n_labels, n_labels))
        np.add.at(trans, (tr["src"].astype(np.int64), tr["dst"].astype(np.int64)), tr["w"])
        return cls(labels, {a: i for i, a in enumerate(attrs)}, state, trans)

    def row_sum(self, attrs: Sequence[str]) -> np.ndarray:
        """Summed weight rows of the attributes the model knows (repeats count, as in crfsuite)."""
        idx = [i for i in map(self.attr_index.get, attrs) if i is not None]
        if not idx:
            return np.zeros(len(self.labels))
        return self.state[idx].sum(axis=0)


@dataclass(frozen=True)
class _WordScores:
    rows: np.ndarray  # (1 + len(deltas), labels): own scores, then the scores given to the token d away
    key: tuple
    first: int = -1  # id of the word as the first word of a known pair attribute (-1: it is in none)
    second: int = -1  # ... as the second word

    def nbytes(self, tok: str = "") -> int:
        """Estimated memory of the entry for `tok` (strings shared with the token counted once)."""
        strings = {id(k): k for k in self.key if isinstance(k, str) and k is not tok}
        return 350 + self.rows.nbytes + sum(50 + 2 * len(k) for k in strings.values())


class CrfScorer:
    """Labels and marginals for many sentences at once (see the module docstring).

    `word_features(tok)` gives a word's ``own`` attributes, the ``shared`` ones it gives each
    neighbour under that neighbour's prefix (`context`: (offset, prefix) pairs) and its ``key``.
    Attributes of the sequence: `pairs`, (prefix, 0 or 1): the attribute prefix + a + "|" + b over
    two neighbours' key[0] a and b goes to the first (0) or the second (1); `edges`, (attribute,
    position in the sentence, from its end when negative); `span_attributes(keys)`, the other
    (token, attribute)s of a sentence."""

    def __init__(self, weights: CrfWeights, word_features: Callable, span_attributes: Callable,
                 context: Sequence[tuple[int, str]] = (), pairs: Sequence[tuple[str, int]] = (),
                 edges: Sequence[tuple[str, int]] = (), cache_bytes: int = 40 * 2**20):
        self.w = weights
        self.word_features = word_features
        self.span_attributes = span_attributes
        self.cache = ByteCache(cache_bytes, size=lambda tok, w: 50 + 2 * len(tok) + w.nbytes(tok))
        context = sorted(context)  # rows and sums in the order of the offsets
        self.deltas: list[int] = [d for d, _ in context]
        self.exp_trans = np.exp(weights.trans)
        self.n_labels = len(weights.labels)
        # each shared attribute is looked up once: base -> its weight rows under every prefix (zeros where
        # the model does not know the prefixed attribute, and x + 0.0 == x: the sums keep their bits)
        self.shared_index: dict[str, int] = {}
        where: list[tuple[int, int, int]] = []
        for attr, row in weights.attr_index.items():
            for k, (_, prefix) in enumerate(context):
                if attr.startswith(prefix):
                    base = self.shared_index.setdefault(attr[len(prefix):], len(self.shared_index))
                    where.append((base, k, row))
        self.shared_rows = np.zeros((len(self.shared_index), len(context), self.n_labels))
        for base, k, row in where:
            self.shared_rows[base, k] = weights.state[row]
        # pair attributes as arrays: each word of a known pair gets an id (first and second word apart);
        # a pair is first * n_second + second, its rows (one per prefix) found by bisection. Every split
        # of a known attribute at a "|" is indexed, so a pair finds exactly what its string would.
        self.pairs = list(pairs)
        found: dict[tuple[str, str], list[int]] = {}
        for attr, row in weights.attr_index.items():
            for k, (prefix, _) in enumerate(self.pairs):
                if attr.startswith(prefix):
                    rest = attr[len(prefix):]
                    for cut, c in enumerate(rest):
                        if c == "|":
                            found.setdefault((rest[:cut], rest[cut + 1:]), [-1] * len(self.pairs))[k] = row
        self.pair_first: dict[str, int] = {}
        self.pair_second: dict[str, int] = {}
        for a, b in found:
            self.pair_first.setdefault(a, len(self.pair_first))
            self.pair_second.setdefault(b, len(self.pair_second))
        n2 = max(len(self.pair_second), 1)
        codes = np.array([self.pair_first[a] * n2 + self.pair_second[b] for a, b in found], dtype=np.int64)
        order = np.argsort(codes)
        self.pair_codes = codes[order]
        self.pair_rows = np.array(list(found.values()), dtype=np.int64).reshape(len(found), len(self.pairs))[order]
        self.edges = [(weights.attr_index[a], at) for a, at in edges if a in weights.attr_index]

    def _words(self, toks: list[str]) -> list[_WordScores]:
        """Scores of each word, from the cache or computed together for all the misses."""
        get = self.cache.get
        out = [get(t) for t in toks]
        missing = [i for i, hit in enumerate(out) if hit is None]
        if not missing:
            return out
        feats = [self.word_features(toks[i]) for i in missing]
        acc = np.zeros((len(feats), 1 + len(self.deltas), self.n_labels))
        # the attributes of all misses looked up together (map runs the look-ups in C); each word's
        # known rows are summed in its attribute order, unknown attributes weigh nothing
        acc[:, 0] = _row_sums([wf.own for wf in feats], self.w.attr_index, self.w.state)
        if self.deltas:
            acc[:, 1:] = _row_sums([wf.shared for wf in feats], self.shared_index, self.shared_rows)
        first, second = self.pair_first, self.pair_second
        for m, (i, wf) in enumerate(zip(missing, feats)):
            # a copy: a view would keep the whole batch alive
            out[i] = hit = _WordScores(acc[m].copy(), wf.key, first.get(wf.key[0], -1), second.get(wf.key[0], -1))
            self.cache.put(toks[i], hit)
        return out

    def emissions(self, sentences: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(tokens x labels) state scores of all sentences, one after another, and sentence starts."""
        lengths = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        starts = np.zeros(len(sentences) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        n = int(starts[-1])
        vocab: dict[str, int] = {}  # each distinct word of the document is looked up once
        wid_list = [vocab.setdefault(tok, len(vocab)) for s in sentences for tok in s]
        words = self._words(list(vocab))
        if n == 0:
            return np.zeros((0, self.n_labels)), starts
        R = np.stack([w.rows for w in words])
        wid = np.array(wid_list, dtype=np.int64)
        E = R[wid, 0]
        pos = np.arange(n) - np.repeat(starts[:-1], lengths)  # position inside the sentence
        slen = np.repeat(lengths, lengths)
        for k, d in enumerate(self.deltas, 1):
            ok = (pos - d >= 0) & (pos - d < slen)  # token i receives from token i - d
            E[ok] += R[wid[np.flatnonzero(ok) - d], k]
        # attributes of the sequence: pairs of neighbours (bigrams) ...
        state = self.w.state
        if self.pairs and n > 1:
            first = np.array([w.first for w in words], dtype=np.int64)[wid[:-1]]
            second = np.array([w.second for w in words], dtype=np.int64)[wid[1:]]
            code = first * max(len(self.pair_second), 1) + second
            ok = (pos[1:] > 0) & (first >= 0) & (second >= 0)  # both words known, in one sentence
            at = np.searchsorted(self.pair_codes, code[ok])
            at_ok = at < len(self.pair_codes)
            hit = np.flatnonzero(ok)[at_ok]
            at = at[at_ok]
            known = self.pair_codes[at] == code[hit]
            hit, at = hit[known], at[known]
            for k, (_, to) in enumerate(self.pairs):
                rows = self.pair_rows[at, k]
                E[hit[rows >= 0] + to] += state[rows[rows >= 0]]  # one pair per token and prefix: no repeats
        # ... sentence edges ...
        nonempty = lengths > 0
        for row, at in self.edges:
            exists = lengths > (at if at >= 0 else -at - 1)
            where = (starts[:-1] + at if at >= 0 else starts[1:] + at)[nonempty & exists]
            E[where] += state[row]
        # ... and the others (multi-word names), few
        index = self.w.attr_index
        keys = [words[j].key for j in wid_list]
        rows_l: list[int] = []
        tok: list[int] = []
        for a, b in zip(starts[:-1].tolist(), starts[1:].tolist()):
            if b > a:
                for i, attr in self.span_attributes(keys[a:b]):
                    r = index.get(attr)
                    if r is not None:
                        rows_l.append(r)
                        tok.append(a + i)
        np.add.at(E, np.array(tok, dtype=np.int64), state[np.array(rows_l, dtype=np.int64)])
        return E, starts

    def tag(self, sentences: Sequence[Sequence[str]]) -> list[tuple[list[str], np.ndarray]]:
        """For each sentence: (labels, marginal probability of each token's label)."""
        if not sentences:
            return []
        E, starts = self.emissions(sentences)
        labels = np.zeros(len(E), dtype=np.int64)
        marg = np.zeros(len(E))
        _decode(E, self.w.trans, self.exp_trans, starts, labels, marg)
        names = self.w.labels
        return [([names[y] for y in labels[a:b]], marg[a:b]) for a, b in zip(starts[:-1], starts[1:])]


CHUNK = 256  # sentences decoded together (sorted by length, so little padding)


def _row_sums(attr_lists: list, index: dict, table: np.ndarray) -> np.ndarray:
    """For each list of attributes, the sum of the `table` rows of those `index` knows, added in order."""
    flat = [a for attrs in attr_lists for a in attrs]
    rows = np.fromiter(map(index.get, flat, repeat(-1, len(flat))), dtype=np.int64, count=len(flat))
    dest = np.repeat(np.arange(len(attr_lists)), [len(attrs) for attrs in attr_lists])
    out = np.zeros((len(attr_lists),) + table.shape[1:])
    _accumulate(out, dest, rows, table)
    return out


def _accumulate_numpy(out: np.ndarray, dest: np.ndarray, rows: np.ndarray, table: np.ndarray) -> None:
    """out[dest[k]] += table[rows[k]] for each k in order, skipping rows < 0 (np.add.at adds in order)."""
    known = rows >= 0
    np.add.at(out, dest[known], table[rows[known]])


def _accumulate_compiled_py(out, dest, rows, table):  # pragma: no cover - compiled
    for k in range(len(rows)):
        if rows[k] >= 0:
            out[dest[k]] += table[rows[k]]


def _decode_numpy(E: np.ndarray, trans: np.ndarray, exp_trans: np.ndarray, starts: np.ndarray,
            labels: np.ndarray, marg: np.ndarray) -> None:
    """Viterbi labels and their marginals for every sentence (crfsuite's crf1d_context.c, the
    loops over positions run once for a group of sentences, the loops over labels in numpy).

    Viterbi adds and compares exactly as crfsuite does (argmax keeps the first of equal
    scores, as its strict `<` does), so the labels are the same; forward-backward uses
    crfsuite's scaling, its sums in another order (marginals agree to ~1e-15)."""
    lengths = np.diff(starts)
    order = np.argsort(lengths, kind="stable")
    order = order[lengths[order] > 0]
    for c in range(0, len(order), CHUNK):
        group = order[c:c + CHUNK]
        n = lengths[group]
        S, T = len(group), int(n.max())
        steps = np.arange(T)
        valid = steps[None, :] < n[:, None]
        idx = np.where(valid, starts[group][:, None] + steps[None, :], 0)
        Ep = E[idx]
        rows = np.arange(S)
        # Viterbi
        score = Ep[:, 0].copy()
        back = np.zeros((S, T, E.shape[1]), dtype=np.int64)
        for t in range(1, T):
            cand = score[:, :, None] + trans[None, :, :]
            on = valid[:, t]
            back[on, t] = cand[on].argmax(axis=1)
            score[on] = cand[on].max(axis=1) + Ep[on, t]
        lab = np.zeros((S, T), dtype=np.int64)
        lab[rows, n - 1] = score.argmax(axis=1)
        for t in range(T - 2, -1, -1):
            on = t < n - 1
            lab[on, t] = back[on, t + 1, lab[on, t + 1]]
        # forward-backward with a scale factor per position
        ex = np.exp(Ep)
        alpha = np.empty_like(ex)
        scale = np.ones((S, T))
        # sums run over a leading axis, which numpy adds in order, as crfsuite's loops do: each
        # sentence gets the same bits whichever sentences share its group
        a = ex[:, 0]
        for t in range(T):
            if t:
                a = (alpha[:, t - 1, :, None] * exp_trans[None]).sum(axis=1) * ex[:, t]
            tot = a.T.sum(axis=0)
            scale[:, t] = np.where(tot != 0.0, 1.0 / np.where(tot != 0.0, tot, 1.0), 1.0)
            alpha[:, t] = a * scale[:, t, None]
        beta = np.empty_like(ex)
        exp_trans_t = np.ascontiguousarray(exp_trans.T)
        for t in range(T - 1, -1, -1):
            beta[:, t] = scale[:, t, None]  # the last position of a sentence
            if t < T - 1:
                on = t < n - 1
                row = beta[on, t + 1] * ex[on, t + 1]
                beta[on, t] = (row[:, :, None] * exp_trans_t[None]).sum(axis=1) * scale[on, t, None]
        m = alpha[rows[:, None], steps[None, :], lab] * beta[rows[:, None], steps[None, :], lab] / scale
        labels[idx[valid]] = lab[valid]
        marg[idx[valid]] = m[valid]


def _decode_compiled_py(E, trans, exp_trans, starts, labels, marg):  # pragma: no cover - compiled
    """Viterbi labels and their marginals, sentence by sentence (crfsuite's crf1d_context.c)."""
    L = E.shape[1]
    for s in range(len(starts) - 1):
        a = starts[s]
        T = starts[s + 1] - a
        if T == 0:
            continue
        score = np.empty((T, L))
        back = np.zeros((T, L), dtype=np.int64)
        for j in range(L):
            score[0, j] = E[a, j]
        for t in range(1, T):
            for j in range(L):
                best = -1.7976931348623157e308
                arg = -1
                for i in range(L):
                    v = score[t - 1, i] + trans[i, j]
                    if best < v:
                        best = v
                        arg = i
                if arg >= 0:
                    back[t, j] = arg
                score[t, j] = best + E[a + t, j]
        best = -1.7976931348623157e308
        last = 0
        for i in range(L):
            if best < score[T - 1, i]:
                best = score[T - 1, i]
                last = i
        labels[a + T - 1] = last
        for t in range(T - 2, -1, -1):
            labels[a + t] = back[t + 1, labels[a + t + 1]]
        # scaled forward-backward on exp scores
        ex = np.exp(E[a:a + T])
        alpha = np.zeros((T, L))
        beta = np.zeros((T, L))
        scale = np.ones(T)
        tot = 0.0
        for j in range(L):
            alpha[0, j] = ex[0, j]
            tot += alpha[0, j]
        scale[0] = 1.0 / tot if tot != 0.0 else 1.0
        for j in range(L):
            alpha[0, j] *= scale[0]
        for t in range(1, T):
            for i in range(L):
                p = alpha[t - 1, i]
                for j in range(L):
                    alpha[t, j] += p * exp_trans[i, j]
            tot = 0.0
            for j in range(L):
                alpha[t, j] *= ex[t, j]
                tot += alpha[t, j]
            scale[t] = 1.0 / tot if tot != 0.0 else 1.0
            for j in range(L):
                alpha[t, j] *= scale[t]
        for j in range(L):
            beta[T - 1, j] = scale[T - 1]
        row = np.empty(L)
        for t in range(T - 2, -1, -1):
            for j in range(L):
                row[j] = beta[t + 1, j] * ex[t + 1, j]
            for i in range(L):
                v = 0.0
                for j in range(L):
                    v += exp_trans[i, j] * row[j]
                beta[t, i] = v * scale[t]
        for t in range(T):
            y = labels[a + t]
            marg[a + t] = alpha[t, y] * beta[t, y] / scale[t]


try:  # compiled (numba) when available: ~20x faster than the numpy loops, same results
    import numba

    _decode_compiled = numba.njit(cache=True, nogil=True)(_decode_compiled_py)
    _decode = _decode_compiled
    _accumulate = numba.njit(cache=True, nogil=True)(_accumulate_compiled_py)
except ImportError:  # pragma: no cover
    _decode = _decode_numpy
    _accumulate = _accumulate_numpy
