"""PLACEHOLDER stage 'ner': being written now; passes the Doc through unchanged."""
from marsad.doc import Doc


class NerStage:
    name = "ner"

    def __call__(self, doc: Doc) -> Doc:
        return doc
