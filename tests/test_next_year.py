"""Next year's booklet: scaffold from this year's file, review last year's targets."""

from __future__ import annotations

import shutil

import pytest
import yaml
from pypdf import PdfReader

from briefing.commands.build import build
from briefing.commands.entry import main
from briefing.data.load import load
from briefing.data.model import ReviewQuantity
from briefing.data.review import judged, quantity_status
from briefing.data.scaffold import next_path
from briefing.errors import DataError

from .conftest import DATA, ROOT, made

SAMPLE_2024 = ROOT / "data" / "sample-2024.yaml"


@pytest.fixture
def scaffolded(tmp_path):
    src = tmp_path / "yanfeng-2023.yaml"
    shutil.copy(DATA, src)
    assert main(["new", "--from", str(src), "--year", "2024"]) == 0
    return tmp_path / "yanfeng-2024.yaml"


def test_new_file_is_named_for_the_new_year(scaffolded):
    assert scaffolded.is_file()
    assert next_path(DATA, 2024).name == "yanfeng-2024.yaml"


def test_every_blank_is_reported_at_its_to_do_line(scaffolded):
    lines = scaffolded.read_text(encoding="utf-8").splitlines()
    with pytest.raises(DataError) as info:
        load(scaffolded)
    assert len(info.value.problems) > 40
    for p in info.value.problems:
        assert "待填写" in lines[p.line - 1], str(p)


def test_review_lists_every_target_of_the_old_plan(scaffolded, doc):
    data = yaml.safe_load(scaffolded.read_text(encoding="utf-8"))
    review = data["review"]
    assert review["year"] == 2023
    texts = [t["text"] for p in review["paths"] for t in p["targets"]]
    assert texts == [t.text for p in doc.plan.paths for t in p.targets]
    for p in review["paths"]:
        for t in p["targets"]:
            assert t["status"] is None
            if "quantities" in t:
                assert all(q["result"] is None for q in t["quantities"])
            else:
                assert t["result"] is None
    assert data["meeting"]["year"] == 2024 and data["meeting"]["name"] == "2024年雁峰区两会"
    assert data["plan"]["year"] == 2024 and data["results"]["year"] == 2023


def _fill(path):
    """What the office would do: fill the blanks (made-up numbers), leaving some results open."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["meeting"].update(opening_date="2024-03-18", headline="示例标题（测试填写）")
    data["source"]["title"] = "示例文章（测试填写）"
    data["results"]["title"] = "2023，测试"
    for a in data["results"]["answers"]:
        for m in a["metrics"]:
            m["value"] = 50.0 if m.get("kind") == "share" else 7
    data["plan"]["title"] = "2024，测试"
    first = data["review"]["paths"][4]["targets"]
    jobs = next(t for t in first if t["text"].startswith("新增城镇就业"))
    jobs["quantities"][0]["result"] = 2450
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_filled_file_builds_with_review_and_warns_about_pending(scaffolded, tmp_path, capsys):
    _fill(scaffolded)
    out = tmp_path / "2024.pdf"
    assert main(["build", str(scaffolded), "-o", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert "警告" in err and "待填报" in err
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "2023年目标完成情况" in text and "2450人" in text and "待填报" in text
    doc = load(scaffolded)
    statuses = {j.target.text: j.status for _, _, ts in judged(doc) for j in ts}
    assert statuses["新增城镇就业2300人以上"] == "达成"  # 2450 against 2300人以上


def test_an_existing_file_is_not_overwritten_without_force(scaffolded, capsys):
    src = scaffolded.with_name("yanfeng-2023.yaml")
    before = scaffolded.read_bytes()
    assert main(["new", "--from", str(src), "--year", "2024"]) == 2
    assert "已存在" in capsys.readouterr().err
    assert scaffolded.read_bytes() == before
    assert main(["new", "--from", str(src), "--year", "2024", "--force"]) == 0


@pytest.mark.parametrize("value, comparator, result, status", [
    (2300, "以上", 2450, "达成"), (2300, "以上", 2300, "达成"), (2300, "以上", 2100, "基本达成"),
    (2300, "以上", 1500, "未达成"), (45, "超", 45, "基本达成"), (45, "超", 45.5, "达成"),
    (145, "突破", 150, "达成"), (92.1, "高于", 93.4, "达成"), (60, "左右", 58, "达成"),
    (60, "左右", 41.5, "未达成"), (60, "左右", 52, "基本达成"), (5, "以内", 4.5, "达成"),
    (5, "以内", 5.4, "基本达成"), (5, "以内", 9, "未达成"), (24, None, 24, "达成"),
    (100, "前", 80, "达成"), (100, "前", 130, "未达成"), (100, "达到", 99, "基本达成"),
])
def test_status_from_the_numbers(value, comparator, result, status):
    q = made(ReviewQuantity, value=value, unit="x", comparator=comparator, result=result)
    assert quantity_status(q) == status


def test_unfilled_result_is_pending():
    assert quantity_status(made(ReviewQuantity, value=1, unit="个")) is None


def test_sample_2024_is_marked_made_up_and_exercises_the_review(tmp_path):
    head = SAMPLE_2024.read_text(encoding="utf-8")[:400]
    assert "虚构" in head and "示例区" in SAMPLE_2024.read_text(encoding="utf-8")
    result = build(SAMPLE_2024, tmp_path / "s.pdf")
    assert result.report.ok, result.report.failures()
    assert any("待填报" in w for w in result.warnings)
    doc = load(SAMPLE_2024)
    seen = {j.status for _, _, ts in judged(doc) for j in ts}
    assert seen == {"达成", "基本达成", "未达成", "进行中", "待填报"}
    reader = PdfReader(result.output)
    text = "".join(p.extract_text() for p in reader.pages)
    for s in seen:
        assert s in text
    outline = [i.title for i in reader.outline if not isinstance(i, list)]
    assert outline.index("2023年目标完成情况") < outline.index("2023，示例之年")  # before the answers


def test_a_status_that_contradicts_the_numbers_is_warned_about(tmp_path):
    text = SAMPLE_2024.read_text(encoding="utf-8").replace(
        "quantities: [{value: 2300, unit: 人, comparator: 以上, result: 2450}]",
        "quantities: [{value: 2300, unit: 人, comparator: 以上, result: 2450}]\n          status: 未达成")
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    result = build(p, tmp_path / "s.pdf")
    assert any("文件写的是 未达成，按数字计算为 达成" in w for w in result.warnings)
