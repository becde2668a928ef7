"""How well ``briefing import`` reads articles: scored against hand-made truth files.

    .venv/bin/python bench/import_score.py            # the table
    .venv/bin/python bench/import_score.py --show     # and every miss and extra

For each article: the number of answers and paths; precision and recall of metrics (matched
by answer, value, range, unit, growth, comparator and kind: all must agree) and of target
quantities (by path, value, range, unit, comparator); target-boundary agreement (targets whose
text equals a truth target's, punctuation aside, over the larger of the two counts); labels
(matched metrics whose label equals the truth's); titles (the two part titles and every answer's
and path's title that equal the truth's, over their number). Targets: ≥ 0.98 on metrics and quantities.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.data.importer import import_document  # noqa: E402

T = ROOT / "tests" / "import"
CASES = [
    ("雁峰 2023 plain text", T / "yanfeng-2023.txt", ROOT / "data" / "yanfeng-2023.yaml"),
    ("雁峰 2023 e-paper paste", T / "yanfeng-2023-wrapped.txt", ROOT / "data" / "yanfeng-2023.yaml"),
    ("雁峰 2023 Word", T / "yanfeng-2023.docx", ROOT / "data" / "yanfeng-2023.yaml"),
    ("青石 2024 (made up) text", T / "qingshi-2024.txt", T / "qingshi-2024.truth.yaml"),
    ("青石 2024 (made up) e-paper", T / "qingshi-2024-wrapped.txt", T / "qingshi-2024.truth.yaml"),
    ("石溪 2024 (made up) Word", T / "shixi-2024.docx", T / "shixi-2024.truth.yaml"),
    ("金塘 2024 (made up, second author) text", T / "jintang-2024.txt", T / "jintang-2024.truth.yaml"),
    ("云岭 2025 (made up, second author) phone paste", T / "yunling-2025-phone.txt", T / "yunling-2025-phone.truth.yaml"),
    ("柳塘 2024 (made up) Word, bold titles", T / "liutang-2024-bold.docx", T / "liutang-2024-bold.truth.yaml"),
    ("鹤鸣 2024 (made up) Word, bold 一、/（一）", T / "heming-2024-numbered.docx", T / "heming-2024-numbered.truth.yaml"),
    ("芦湾 2025 (made up) Word, 黑体 titles", T / "luwan-2025-heiti.docx", T / "luwan-2025-heiti.truth.yaml"),
    ("赤水 2025 (made up) Word, 黑体 over 楷体 titles", T / "chishui-2025-kaiti.docx",
     T / "chishui-2025-kaiti.truth.yaml"),
    ("杏林 2024 (reviewer, blind) Word, 黑体 titles", T / "xinglin-2024.docx", T / "xinglin-2024.truth.yaml"),
    ("青岚 2025 (reviewer, blind) Word, titles ending in ：", T / "qinglan-2025.docx", T / "qinglan-2025.truth.yaml"),
    ("青岚 2025 (reviewer, blind) Word, no colons", T / "qinglan-nocolon.docx", T / "qinglan-2025.truth.yaml"),
]


def _n(v):
    return None if v is None else round(float(v), 6)


def metric_keys(doc: dict) -> Counter:
    out = Counter()
    for i, a in enumerate(doc["results"]["answers"]):
        for m in a.get("metrics") or []:
            out[(i, _n(m["value"]), _n(m.get("value_max")), m.get("unit", ""), _n(m.get("growth")),
                 m.get("comparator"), m.get("kind", "amount"))] += 1
    return out


def quantity_keys(doc: dict) -> Counter:
    out = Counter()
    for i, p in enumerate(doc["plan"]["paths"]):
        for t in p.get("targets") or []:
            for x in t.get("quantities") or []:
                out[(i, _n(x["value"]), _n(x.get("value_max")), x.get("unit", ""), x.get("comparator"))] += 1
    return out


def _plain(text: str) -> str:
    return re.sub(r"[\s，。；、“”…—,;]", "", text)


def boundaries(draft: dict, truth: dict) -> tuple[int, int]:
    agree = total = 0
    for d, t in zip(draft["plan"]["paths"], truth["plan"]["paths"]):
        mine = Counter(_plain(x["text"]) for x in d.get("targets") or [])
        theirs = Counter(_plain(x["text"]) for x in t.get("targets") or [])
        agree += sum((mine & theirs).values())
        total += max(sum(mine.values()), sum(theirs.values()))
    return agree, total


def labels(draft: dict, truth: dict) -> tuple[int, int]:
    same = total = 0
    for d, t in zip(draft["results"]["answers"], truth["results"]["answers"]):
        theirs = {(_n(m["value"]), m.get("unit", "")): m["label"] for m in t.get("metrics") or []}
        for m in d.get("metrics") or []:
            key = (_n(m["value"]), m.get("unit", ""))
            if key in theirs:
                total += 1
                same += _plain(m["label"]) == _plain(theirs[key])
    return same, total


def titles(draft: dict, truth: dict) -> tuple[int, int]:
    pairs = [(draft[k].get("title"), truth[k].get("title")) for k in ("results", "plan")]
    for k, items in (("results", "answers"), ("plan", "paths")):
        pairs += [(d.get("title"), t.get("title")) for d, t in zip(draft[k][items], truth[k][items])]
    return sum(1 for d, t in pairs if d == t), len(pairs)


def pr(found: Counter, truth: Counter) -> tuple[float, float, Counter, Counter]:
    hit = sum((found & truth).values())
    p = hit / max(1, sum(found.values()))
    r = hit / max(1, sum(truth.values()))
    return p, r, found - truth, truth - found


def score(source: Path, truth_file: Path) -> dict:
    result = import_document(source)
    draft = yaml.safe_load(result.text)
    truth = yaml.safe_load(truth_file.read_text(encoding="utf-8"))
    mp, mr, m_extra, m_miss = pr(metric_keys(draft), metric_keys(truth))
    qp, qr, q_extra, q_miss = pr(quantity_keys(draft), quantity_keys(truth))
    agree, total = boundaries(draft, truth)
    same, matched = labels(draft, truth)
    right, named = titles(draft, truth)
    return {
        "answers": (len(draft["results"]["answers"]), len(truth["results"]["answers"])),
        "paths": (len(draft["plan"]["paths"]), len(truth["plan"]["paths"])),
        "metrics": (mp, mr), "quantities": (qp, qr), "boundaries": agree / max(1, total),
        "labels": same / max(1, matched),
        "titles": right / max(1, named), "misses": (m_extra, m_miss, q_extra, q_miss),
        "counts": (result.metrics, result.targets, result.quantities),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", action="store_true", help="list every missed and extra figure")
    args = ap.parse_args()
    print("| article | answers | paths | metrics P / R | quantities P / R | target boundaries | labels | titles |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for name, source, truth in CASES:
        s = score(source, truth)
        (mp, mr), (qp, qr) = s["metrics"], s["quantities"]
        sections_ok = s["answers"][0] == s["answers"][1] and s["paths"][0] == s["paths"][1]
        ok &= sections_ok and min(mp, mr, qp, qr) >= 0.98
        print(f"| {name} | {s['answers'][0]}/{s['answers'][1]} | {s['paths'][0]}/{s['paths'][1]} "
              f"| {mp:.2f} / {mr:.2f} | {qp:.2f} / {qr:.2f} | {s['boundaries']:.2f} | {s['labels']:.2f} | {s['titles']:.2f} |")
        if args.show:
            for title, c in zip(("extra metric", "missed metric", "extra quantity", "missed quantity"), s["misses"]):
                for k in c.elements():
                    print(f"    {title}: {k}")
    print("targets (issue #16): metrics and quantities ≥ 0.98 precision and recall; the right number of "
          "answers and paths —", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
