"""Near-duplicates: MinHash/LSH (datasketch) over normalized word shingles.

An updated re-publication, a republished wire or the same page saved twice
shares most of its 4-word shingles with the first copy; such a document gets
``duplicate_of`` = the doc_id of the earliest copy the index already holds.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from marsad.stories.profile import NUM_PERM

DUPLICATE_JACCARD = 0.7  # estimated shingle Jaccard at or above which two texts are one article


class DuplicateIndex:
    """An incremental LSH index of document signatures."""

    def __init__(self, threshold: float = DUPLICATE_JACCARD, num_perm: int = NUM_PERM):
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.signatures: dict[str, np.ndarray] = {}
        self.canonical: dict[str, str] = {}  # doc_id → the doc_id it duplicates (itself when original)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self.signatures

    def _minhash(self, sig: np.ndarray):
        from datasketch import MinHash

        from marsad.stories.profile import permutations

        return MinHash(num_perm=len(sig), seed=1, scheme="affine32", hashvalues=sig,
                       permutations=permutations(len(sig)))

    def add(self, doc_id: str, signature: np.ndarray, duplicate_of: Optional[str] = None) -> Optional[str]:
        """Index a document; returns the doc_id of the original it duplicates, or None.

        `duplicate_of` given (a stored answer) is taken as is, so reloading an
        index never changes earlier answers.
        """
        if doc_id in self.signatures:
            orig = self.canonical[doc_id]
            return None if orig == doc_id else orig
        mh = self._minhash(signature)
        if duplicate_of is None:
            best, best_j = None, self.threshold
            for other in self.lsh.query(mh):
                j = float(np.count_nonzero(self.signatures[other] == signature)) / len(signature)
                if j >= best_j and (best is None or j > best_j or other < best):
                    best, best_j = other, j
            if best is not None:
                duplicate_of = self.canonical[best]
        self.lsh.insert(doc_id, mh)
        self.signatures[doc_id] = signature
        self.canonical[doc_id] = duplicate_of or doc_id
        return duplicate_of
