"""The layout README promises: lower packages never reach up into the pipeline steps or the web
front end, and no two modules import each other (also through function-level imports)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.paths import REPO

LOWER = ("daemon.store", "daemon.mail", "daemon.classify", "daemon.sla", "daemon.report")
UPPER = ("handlers", "daemon.web")


def modules() -> dict[str, Path]:
    found = {}
    for path in [*(REPO / "daemon").rglob("*.py"), *(REPO / "handlers").rglob("*.py")]:
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Project modules a file imports anywhere in it, except under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in known}


def test_lower_packages_never_import_handlers_or_web():
    known = modules()
    offending = {
        (name, target)
        for name, path in known.items()
        if name.startswith(LOWER)
        for target in imports(path, known)
        if target.startswith(UPPER)
    }
    assert not offending


def test_no_two_modules_import_each_other_in_a_circle():
    known = modules()
    graph = {name: imports(path, known) - {name} for name, path in known.items()}
    graph["handlers"] -= set(graph)  # the package lists its steps; that is its job

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return False

    circles = {(a, b) for a in graph for b in graph[a] if reaches(b, a)}
    assert not circles


def test_the_top_of_daemon_holds_at_most_a_dozen_modules():
    assert len(list((REPO / "daemon").glob("*.py"))) <= 12
