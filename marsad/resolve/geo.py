"""PLACEHOLDER stage 'places': being written now; passes the Doc through unchanged."""
from marsad.doc import Doc


class PlaceResolver:
    name = "places"

    def __call__(self, doc: Doc) -> Doc:
        return doc
