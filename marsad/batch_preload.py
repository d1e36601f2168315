"""Loaded by the forkserver of a `marsad batch` LocalCluster (see batch._local_cluster): builds the
default pipeline once, before the worker processes are forked from that server, so that every worker
starts with it loaded and shares its pages (models, gazetteer) with the others instead of loading a
copy of its own. MARSAD_BATCH_NER ("1"/"0") says which pipeline the run uses."""
import os

try:
    from marsad.batch import _pipeline

    _pipeline(None, os.environ.get("MARSAD_BATCH_NER", "1") == "1")
except Exception:  # noqa: BLE001 - a worker then loads the pipeline itself, as without the preload
    pass
