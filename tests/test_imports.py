"""The direction of imports: `agents/` import nothing from `model/` at run time (DESIGN.md)."""

import ast
from pathlib import Path

AGENTS = Path(__file__).resolve().parents[1] / "agents"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import outside `if TYPE_CHECKING:` blocks, at any depth."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_agents_import_nothing_from_model_at_run_time():
    files = sorted(AGENTS.glob("*.py"))
    assert files
    bad = [f"{f.name}:{line} imports {mod}" for f in files
           for line, mod in _runtime_imports(ast.parse(f.read_text(encoding="utf-8")))
           if mod == "model" or mod.startswith("model.")]
    assert not bad, "agents/ must not import model/ at run time:\n" + "\n".join(bad)


def test_the_check_sees_imports_but_not_type_checking_blocks():
    src = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from model.schema import X\n" \
          "def f():\n    import model.tariffs\n"
    assert _runtime_imports(ast.parse(src)) == [(1, "typing"), (5, "model.tariffs")]
