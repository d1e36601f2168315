"""Stories: near-duplicates, same-story clusters and cross-article event merging.

A *story* is one specific happening (an incident, a meeting, a statement
occasion, a decision) with its follow-ups over a few days, not a topic: two
strikes on one town on different days are two stories; an updated
re-publication is a duplicate of the first; a multi-topic news bulletin
(نشرة) is its own kind of story and never absorbs the stories of its items.

* ``profile.py``: what a document record contributes (day, places, actors,
  event types, title/lead words, MinHash signature);
* ``dedup.py``: near-duplicates by MinHash/LSH over normalized word shingles
  (``duplicate_of``);
* ``pairs.py`` + ``model.py``: features of a document pair and the shipped
  pair classifier (logistic regression, ``data/stories/pair_model.json``,
  trained by ``scripts/train_story_pairs.py`` on ``data/stories/labels``);
* ``cluster.py``: incremental same-story clustering (``story_id``);
* ``merge.py``: incremental cross-article event merging by ACLED's rules.

Everything here works on plain document/event dicts (the codebook records), so
the store (marsad/store/stories.py) and the bench scripts share one code path.
"""
