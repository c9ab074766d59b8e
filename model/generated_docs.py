"""The documents generated from the registries and the schema, and the one command that writes them:
`python -m model.generated_docs` (a test fails when one is out of date)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# document → module whose `render()` produces it
GENERATED = {
    "docs/scenario-schema.md": "model.schema_doc",
    "docs/levers.md": "model.levers",
    "docs/metrics.md": "model.metrics",
}


def render(doc: str) -> str:
    """The current text of a generated document."""
    return importlib.import_module(GENERATED[doc]).render()


def main() -> int:
    """Write every generated document."""
    for doc in GENERATED:
        (ROOT / doc).write_text(render(doc), encoding="utf-8")
        print(f"wrote {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
