"""The draft data file: our own YAML, every extracted item marked ``# 待核对`` and every
field the article cannot tell marked ``# 待填写`` (required) or ``# 待补充`` (optional).

Written line by line (as ``briefing new`` does) so the marks are comments a clerk deletes; the
Excel merge (xlsx.py) writes changed items with the same functions.
"""

from __future__ import annotations

import difflib
import json
import re

from ..model import format_number

CHECK = "  # 待核对"
TODO = "  # 待填写"
MAYBE = "  # 待补充"


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's quoting is valid YAML and escapes everything)."""
    return json.dumps(text, ensure_ascii=False)


def num(value: float) -> str:
    return format_number(value)


def slug(label: str) -> str:
    """A readable, stable id from a label: its Chinese, letters and digits (“四上企业”净增 →
    四上企业净增); other marks become -. The same label always gives the same id."""
    text = re.sub(r"[“”‘’《》「」『』\"']", "", label)
    text = re.sub(r"[^A-Za-z0-9\u3400-\u9fff.]+", "-", text).strip("-.")
    text = text[:24].rstrip("-.")
    return text or "metric"


def unique_ids(labels: list[str], taken: set[str] | None = None) -> list[str]:
    seen = set(taken or ())
    out = []
    for label in labels:
        base = slug(label)
        ident, n = base, 2
        while ident in seen:
            ident, n = f"{base}-{n}", n + 1
        seen.add(ident)
        out.append(ident)
    return out


def metric_line(m: dict) -> str:
    """One metric as the flow mapping the 2023 file uses, fields in a fixed order."""
    parts = [f"id: {q(m['id'])}", f"label: {q(m['label'])}"]
    if m.get("short"):
        parts.append(f"short: {q(m['short'])}")
    parts.append(f"value: {num(m['value'])}")
    if m.get("value_max") is not None:
        parts.append(f"value_max: {num(m['value_max'])}")
    parts.append(f"unit: {q(m.get('unit', ''))}")
    if m.get("comparator"):
        parts.append(f"comparator: {q(m['comparator'])}")
    if m.get("kind", "amount") != "amount":
        parts.append(f"kind: {m['kind']}")
    if m.get("growth") is not None:
        parts.append(f"growth: {num(m['growth'])}")
    if m.get("chart"):
        parts.append(f"chart: {q(m['chart'])}")
    if m.get("part_of"):
        parts.append(f"part_of: {q(m['part_of'])}")
    return "{" + ", ".join(parts) + "}"


def quantity_line(x: dict) -> str:
    parts = [f"label: {q(x['label'])}"] if x.get("label") else []
    parts.append(f"value: {num(x['value'])}")
    if x.get("value_max") is not None:
        parts.append(f"value_max: {num(x['value_max'])}")
    parts.append(f"unit: {q(x.get('unit', ''))}")
    if x.get("comparator"):
        parts.append(f"comparator: {q(x['comparator'])}")
    if x.get("baseline"):
        parts.append(f"baseline: {q(x['baseline'])}")
    if x.get("baseline_note"):
        parts.append(f"baseline_note: {q(x['baseline_note'])}")
    return "{" + ", ".join(parts) + "}"


def target_lines(t: dict, indent: str, checked: bool = False, hints: list[str | None] | None = None) -> list[str]:
    """A target: ``- text: …`` and its quantities (one line, or one per quantity with hints)."""
    mark = "" if checked else CHECK
    out = [f"{indent}- text: {q(t['text'])}{mark}"]
    qs = t.get("quantities") or []
    hints = hints or [None] * len(qs)
    if qs and not any(hints):
        out.append(f"{indent}  quantities: [{', '.join(quantity_line(x) for x in qs)}]")
    elif qs:
        out.append(f"{indent}  quantities:")
        for x, hint in zip(qs, hints):
            out.append(f"{indent}    - {quantity_line(x)}" + (f"{MAYBE}：baseline 可能是 {hint}" if hint else ""))
    return out


def baseline_hint(text: str, quantity: dict, metrics: list[dict]) -> str | None:
    """The last year's metric a target quantity may continue: same unit (not %), similar words."""
    if quantity.get("unit") in ("%", "", None):
        return None
    words = quantity.get("label") or re.sub(r"[\d.]+", "", text)
    best, score = None, 0.0
    for m in metrics:
        if m.get("unit") != quantity.get("unit"):
            continue
        r = difflib.SequenceMatcher(None, words, m["label"]).ratio()
        if r > score:
            best, score = m["id"], r
    return best if score >= 0.6 else None
