"""Last year's targets against their results: which are met, computed from the numbers.

Pure functions of the model. A quantified target's status is computed from its numbers (a
result of 2450 against "2300人以上" is 达成); a qualitative one takes the status written in
the file; a target without its result yet is 待填报 (pending), which builds but warns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # read by the chart rules, which a chart worker runs without the model (pydantic)
    from .model import Briefing, ReviewQuantity, ReviewTarget

MET, MOSTLY, MISSED, ONGOING = "达成", "基本达成", "未达成", "进行中"
ORDER = (MET, MOSTLY, ONGOING, MISSED)  # best to worst; a target is as good as its worst figure
NEAR = 0.9  # within 10 % of a floor (or over a ceiling) counts as 基本达成

# How each comparator judges a result: the bound it sets and how strict it is.
AT_LEAST = {None, "达到", "以上", "不低于", "不少于", "至少", "前"}
ABOVE = {"超", "超过", "突破", "高于"}
AT_MOST = {"以内", "以下", "不超过", "不高于", "控制在"}
BELOW = {"低于"}
ABOUT = {"左右", "约", "近"}


def quantity_status(q: ReviewQuantity) -> str | None:
    """达成 / 基本达成 / 未达成 for one figure, or None while its result is not filled in."""
    if q.result is None:
        return None
    r, t = q.result, q.value
    if q.comparator == "前":  # a ranking: a smaller number is better (前100名)
        return MET if r <= t else MOSTLY if r <= t / NEAR else MISSED
    if q.comparator in AT_MOST or q.comparator in BELOW:
        bound = t if q.value_max is None else q.value_max  # a range's ceiling is its top
        met = r < bound if q.comparator in BELOW else r <= bound
        return MET if met else MOSTLY if r * NEAR <= bound else MISSED
    if q.value_max is not None:  # a range (6%—6.5%): reaching its low end meets it
        return MET if r >= t else MOSTLY if r >= t - abs(t) * (1 - NEAR) else MISSED
    if q.comparator in ABOUT:
        return MET if r >= t * 0.95 else MOSTLY if r >= t * 0.85 else MISSED
    met = r > t if q.comparator in ABOVE else r >= t
    if met:
        return MET
    return MOSTLY if r >= t - abs(t) * (1 - NEAR) else MISSED  # within 10 % of |t| below it


@dataclass(frozen=True)
class Judged:
    target: ReviewTarget
    status: str  # one of ORDER, or the pending label
    computed: bool  # from the numbers (True) or from the file
    conflict: str | None  # the file says otherwise than the numbers


def judge(target: ReviewTarget, pending: str) -> Judged:
    if target.quantities:
        each = [quantity_status(q) for q in target.quantities]
        if any(s is None for s in each):
            return Judged(target, pending, True, None)
        worst = max(each, key=ORDER.index)
        conflict = target.status if target.status and target.status != worst else None
        return Judged(target, worst, True, conflict)
    return Judged(target, target.status or pending, False, None)


def judged(doc: Briefing) -> list[tuple[str, str, list[Judged]]]:
    """(ordinal, title, judged targets) for every path of the review, in file order."""
    if doc.review is None:
        return []
    pending = doc.labels.pending
    return [(p.ordinal, p.title, [judge(t, pending) for t in p.targets]) for p in doc.review.paths]


def warnings(doc: Briefing) -> list[str]:
    """What ``briefing build`` warns about (never fails on): unfilled results, contradictions."""
    out = []
    for ordinal, _, targets in judged(doc):
        pending = [j for j in targets if j.status == doc.labels.pending]
        if pending:
            out.append(f"{ordinal}：{len(pending)} 项目标尚未填报结果（{doc.labels.pending}）")
        for j in targets:
            if j.conflict:
                out.append(f"{ordinal}：“{j.target.text}” 文件写的是 {j.conflict}，按数字计算为 {j.status}")
    return out
