"""PLACEHOLDER stage 'times': being written now; passes the Doc through unchanged."""
from marsad.doc import Doc


class TimeResolver:
    name = "times"

    def __call__(self, doc: Doc) -> Doc:
        return doc
