"""PLACEHOLDER stage 'actors': being written now; passes the Doc through unchanged."""
from marsad.doc import Doc


class ActorResolver:
    name = "actors"

    def __call__(self, doc: Doc) -> Doc:
        return doc
