"""Property: any mutation of the real data file builds a verified booklet or fails cleanly.

Never a traceback, never a verification failure on data the loader accepted, never a changed
previous booklet, never a stray file.
"""

from __future__ import annotations

import copy

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.commands.entry import main

from .conftest import DATA

BASE = yaml.safe_load(DATA.read_text(encoding="utf-8"))

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.text(alphabet="<>&/\"'#$%\\n 　，。“”（）亿元万人", max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["2023-02-30", "amount", "share", "growth", "以上", "%", "", "answer-1", "new-urban-jobs"]),
)


@st.composite
def mutated(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        node = data
        # Walk down a random path, then change what is there.
        while isinstance(node, (dict, list)) and node and draw(st.integers(0, 4)) > 0:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            key = draw(st.sampled_from(keys))
            if not isinstance(node[key], (dict, list)):
                break
            node = node[key]
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(list(node)))
            action = draw(st.sampled_from(["replace", "delete", "unknown"]))
            if action == "replace":
                node[key] = draw(values)
            elif action == "delete":
                del node[key]
            else:
                node[key + draw(st.sampled_from(["s", "x", "_"]))] = node[key]
        elif isinstance(node, list) and node:
            i = draw(st.integers(0, len(node) - 1))
            action = draw(st.sampled_from(["replace", "delete", "duplicate"]))
            if action == "replace":
                node[i] = draw(values)
            elif action == "delete":
                del node[i]
            else:
                node.append(copy.deepcopy(node[i]))
    return data


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(mutated())
def test_mutation_builds_verified_or_fails_cleanly(tmp_path_factory, booklet, data):
    folder = tmp_path_factory.mktemp("mut")
    out = folder / "booklet.pdf"
    previous = booklet.output.read_bytes()
    out.write_bytes(previous)  # the last good booklet
    src = folder / "data.yaml"
    src.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code = main(["build", str(src), "-o", str(out), "-q"])
    assert code in (0, 2)  # 1 would mean the loader accepted data the booklet then failed on
    if code == 2:
        assert out.read_bytes() == previous
    assert sorted(p.name for p in folder.iterdir()) == ["booklet.pdf", "data.yaml"]
