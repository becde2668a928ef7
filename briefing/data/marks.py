"""Review marks left in a data file: ``# 待核对`` (an imported item not yet checked) and
``# 待补充`` (an optional field not yet decided). ``build`` warns with their count;
``build --strict`` refuses while any is left.

Only real YAML comments count: a ``#`` inside a quoted or plain text is text, so the YAML
scanner's own token positions decide (it runs only when a mark's word is in the file at all).
"""

from __future__ import annotations

import yaml

CHECK, MAYBE = "待核对", "待补充"


def review_marks(text: str) -> list[tuple[int, str]]:
    """(line, mark) for every comment in ``text`` that carries a review mark, in file order."""
    if CHECK not in text and MAYBE not in text:
        return []
    scalars: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(token, yaml.ScalarToken):
                scalars.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return []  # the loader reports the broken YAML itself
    out = []
    offset = 0
    spans = iter(sorted(scalars))
    span = next(spans, None)
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if CHECK in line or MAYBE in line:
            start = 0
            while (hash_at := line.find("#", start)) >= 0:
                pos = offset + hash_at
                while span is not None and span[1] <= pos:
                    span = next(spans, None)
                if span is not None and span[0] <= pos < span[1]:
                    start = hash_at + 1  # a # inside a text value
                    continue
                comment = line[hash_at + 1:].lstrip()
                mark = next((m for m in (CHECK, MAYBE) if comment.startswith(m)), None)
                if mark:  # the comment begins with the mark: 「# 待核对」, 「# 待补充：…」
                    out.append((number, mark))
                break
        offset += len(line)
    return out


def summary(marks: list[tuple[int, str]]) -> str:
    checks = [n for n, m in marks if m == CHECK]
    maybes = [n for n, m in marks if m == MAYBE]
    parts = []
    if checks:
        parts.append(f"{len(checks)} 处{CHECK}（第 {_lines(checks)} 行）")
    if maybes:
        parts.append(f"{len(maybes)} 处{MAYBE}（第 {_lines(maybes)} 行）")
    return "、".join(parts) + "：核对后删除这些注释；briefing build --strict 在此之前拒绝生成"


def _lines(numbers: list[int], most: int = 8) -> str:
    shown = "、".join(str(n) for n in numbers[:most])
    return shown + (" 等" if len(numbers) > most else "")
