"""Pipeline stage: sentence and token spans (see segment.py for the rules)."""
from marsad.doc import Doc
from marsad.text.segment import sentences, tokens


class Segmenter:
    name = "segment"

    def __call__(self, doc: Doc) -> Doc:
        skip = [(r.span[0], r.span[1]) for r in doc.removed]
        doc.sentences = sentences(doc.text, skip=skip)
        doc.tokens = [t for s, e in doc.sentences for t in tokens(doc.text, s, e)]
        return doc
