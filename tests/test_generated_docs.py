"""The generated documents are current (docs/scenario-schema.md, docs/levers.md, docs/metrics.md)."""

import pytest

from model.generated_docs import GENERATED, ROOT, render


@pytest.mark.parametrize("doc", sorted(GENERATED))
def test_generated_document_is_current(doc):
    assert (ROOT / doc).read_text(encoding="utf-8") == render(doc), (
        f"{doc} is out of date: run `python -m model.generated_docs`")
