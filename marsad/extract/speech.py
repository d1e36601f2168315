"""PLACEHOLDER stage 'speech': being written now; passes the Doc through unchanged."""
from marsad.doc import Doc


class SpeechExtractor:
    name = "speech"

    def __call__(self, doc: Doc) -> Doc:
        return doc
