"""PLACEHOLDER stage 'events': being written now; passes the Doc through unchanged."""
from marsad.doc import Doc


class EventExtractor:
    name = "events"

    def __call__(self, doc: Doc) -> Doc:
        return doc
