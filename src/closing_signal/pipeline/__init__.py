"""The spaCy side: clause segmentation, cue matching with negation scope, and
the ``closing_signal`` text-classification component that writes ``doc.cats``.

Factories (registered through the ``spacy_factories`` entry point):

* ``closing_signal_clauses`` — clause spans in ``doc.spans["closing_clauses"]``
* ``closing_signal_cues`` — cue spans in ``doc.spans["closing_cues"]`` and
  ``Token._.closing_negated``
* ``closing_signal`` — label probabilities in ``doc.cats`` and
  ``Doc._.closing_evidence``

The assembled pipeline comes from :func:`closing_signal.pipeline.build.make_pipeline`.
"""
