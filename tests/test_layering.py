"""The package follows the pipeline: each stage imports only earlier stages and the shared services.

Every import of the package is read with ``ast``, including those inside functions (lazy imports
count: they are dependencies all the same).
"""

from __future__ import annotations

import ast

from .conftest import ROOT

PACKAGE = ROOT / "briefing"

# Lower rank = earlier. A module may import its own rank or lower, never higher.
RANK = {
    "errors": 0, "files": 0, "cache": 0, "memo": 0, "places": 0, "shipped": 0, "words": 0, "fork": 0, "deferred": 0, "increment": 0,
    "data": 1,
    "fonts": 2,
    "typeset": 3,
    "pdf": 4,
    "check": 5,
    "commands": 6,
    "__main__": 7, "__init__": 7,  # the package's own entry points may reach any stage
}


def _stage(module: str) -> str:
    """'briefing.typeset.charts' → 'typeset'; 'briefing' → '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every import of a briefing module."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        module = ".".join(rel.parts)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        if path.name == "__init__.py":
            module = package
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
                found += [(module, t, node.lineno) for t in names if t.startswith("briefing")]
            elif isinstance(node, ast.Import):
                found += [(module, a.name, node.lineno) for a in node.names if a.name.startswith("briefing")]
    return found


def test_the_walk_sees_the_package():
    modules = {m for m, _, _ in _imports()}
    assert {"briefing.commands.build", "briefing.typeset.story", "briefing.check.verify"} <= modules


def test_every_module_belongs_to_a_known_stage():
    for path in PACKAGE.rglob("*.py"):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        assert top in RANK, f"{path.relative_to(ROOT)}: add its stage to RANK (and to the README's table)"


def test_no_stage_imports_a_later_one():
    wrong = [f"{m}:{line} imports {t}" for m, t, line in _imports()
             if RANK[_stage(t)] > RANK[_stage(m)]]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_between_modules():
    graph: dict[str, set[str]] = {}
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
               for p in PACKAGE.rglob("*.py")}
    for m, t, _ in _imports():
        while t not in modules and "." in t:  # 'from .x import name' names a symbol, not a module
            t = t.rpartition(".")[0]
        if t != m and t in modules and m != "briefing":  # the package's lazy public names
            graph.setdefault(m, set()).add(t)
    cycles = []

    def visit(node, path):
        for nxt in graph.get(node, ()):
            if nxt in path:
                cycles.append(" → ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in done:
                visit(nxt, path + [nxt])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    assert not cycles, "\n".join(sorted(set(cycles)))
