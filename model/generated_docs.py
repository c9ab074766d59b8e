"""The documents generated from the registries and the schema, and the one command that writes them:
`python -m model.generated_docs` (a test fails when one is out of date)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
# document → module whose `render()` produces it
GENERATED = {
    "docs/scenario-schema.md": "model.schema_doc",
    "docs/levers.md": "model.levers",
    "docs/metrics.md": "model.metrics",
}


def grouped_tables(items: Iterable[T], group: Callable[[T], str], header: list[str],
                   row: Callable[[T], list[str]]) -> list[str]:
    """Markdown lines: a `## group` heading and a table for each run of items of one group."""
    lines: list[str] = []
    current = None
    for item in items:
        if group(item) != current:
            current = group(item)
            lines += ["", f"## {current}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines.append("| " + " | ".join(row(item)) + " |")
    return lines


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
