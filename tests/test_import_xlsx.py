"""The Excel review loop: export, correct in Excel, merge back; the round trip is the identity."""

from __future__ import annotations

import shutil

import pytest
import yaml
from openpyxl import load_workbook

from briefing.commands.cli import main
from briefing.data.load import load

from .conftest import DATA, ROOT

ARTICLES = ROOT / "tests" / "import"


@pytest.fixture
def draft(tmp_path):
    out = tmp_path / "draft.yaml"
    assert main(["import", str(ARTICLES / "yanfeng-2023.txt"), "-o", str(out)]) == 0
    return out


def _round_trip(data, tmp_path) -> bytes:
    before = data.read_bytes()
    xlsx = tmp_path / "review.xlsx"
    assert main(["export", str(data), "--xlsx", "-o", str(xlsx)]) == 0
    assert main(["import", str(xlsx), "--into", str(data)]) == 0
    return before


def test_round_trip_of_the_2023_file_is_the_identity(tmp_path):
    data = tmp_path / "yanfeng-2023.yaml"
    shutil.copy(DATA, data)
    assert _round_trip(data, tmp_path) == data.read_bytes()


def test_text_that_begins_like_a_formula_is_exported_as_text(tmp_path):
    """A label or target beginning with = (or a unit, a chart title …) was written as an Excel
    formula: Excel ran =HYPERLINK(…) when the clerk opened the workbook, and the round trip lost
    the text (a formula saved without its value reads back empty)."""
    text = DATA.read_text(encoding="utf-8")
    text = text.replace("label: 规模工业总产值,", 'label: "=1+1",', 1)
    text = text.replace("- text: 新增城镇就业2300人以上", '- text: "=HYPERLINK(\\"http://example.com\\",\\"点击\\")"', 1)
    data = tmp_path / "d.yaml"
    data.write_text(text, encoding="utf-8")
    assert "=HYPERLINK" in data.read_text(encoding="utf-8") and "=1+1" in data.read_text(encoding="utf-8")
    xlsx = tmp_path / "review.xlsx"
    assert main(["export", str(data), "--xlsx", "-o", str(xlsx)]) == 0
    formulas = [(ws.title, c.coordinate) for ws in load_workbook(xlsx).worksheets
                for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    before = data.read_bytes()
    assert main(["import", str(xlsx), "--into", str(data)]) == 0
    assert data.read_bytes() == before


def test_round_trip_of_a_draft_with_its_marks_is_the_identity(draft, tmp_path):
    assert _round_trip(draft, tmp_path) == draft.read_bytes()


def test_export_has_both_sheets_with_the_source_sentence(tmp_path):
    xlsx = tmp_path / "y.xlsx"
    assert main(["export", str(DATA), "--xlsx", "-o", str(xlsx)]) == 0
    wb = load_workbook(xlsx)
    metrics, targets = wb["指标"], wb["目标"]
    rows = list(metrics.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 47
    jobs = next(r for r in rows if r[1] == "new-urban-jobs")
    assert jobs[3] == 2496 and jobs[5] == "人" and "新增城镇就业2496人" in jobs[-1]
    texts = [r[2] for r in targets.iter_rows(min_row=2, values_only=True) if r[2]]
    assert len(texts) == 72


def test_corrections_merge_back_and_everything_else_stays(draft, tmp_path, capsys):
    xlsx = tmp_path / "r.xlsx"
    assert main(["export", str(draft), "--xlsx", "-o", str(xlsx)]) == 0
    wb = load_workbook(xlsx)
    ws, wt = wb["指标"], wb["目标"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("名称")].value == "规模工业总产值")
    row[header.index("数值")].value = 121.4
    row[header.index("图表")].value = "主要经济数据"
    row[header.index("待核对")].value = None
    ws.append(["答卷一", None, "新增的指标", 5, None, "个", None, "数量", None, None, "待核对", None])
    theader = [c.value for c in wt[1]]
    jobs = next(r for r in wt.iter_rows(min_row=2) if r[theader.index("目标")].value == "新增城镇就业2300人以上")
    jobs[theader.index("基数")].value = "新增城镇就业"
    jobs[theader.index("待核对")].value = None
    wb.save(xlsx)
    before = draft.read_text(encoding="utf-8")
    assert main(["import", str(xlsx), "--into", str(draft)]) == 0
    after = draft.read_text(encoding="utf-8")
    data = yaml.safe_load(after)
    m = next(m for m in data["results"]["answers"][0]["metrics"] if m["label"] == "规模工业总产值")
    assert m["value"] == 121.4 and m["chart"] == "主要经济数据"
    assert any(m["id"] == "新增的指标" for m in data["results"]["answers"][0]["metrics"])
    t = next(t for p in data["plan"]["paths"] for t in p["targets"] if t["text"] == "新增城镇就业2300人以上")
    assert t["quantities"][0]["baseline"] == "新增城镇就业"
    line = next(x for x in after.splitlines() if "新增城镇就业2300人以上" in x and "text:" in x)
    assert "待核对" not in line
    # Lines outside the edited items are untouched.
    untouched = [x for x in before.splitlines() if "规模工业总产值" not in x and "2300人" not in x
                 and "value: 2300," not in x]
    missing = [x for x in untouched if x not in after.splitlines()]
    assert not missing


def _mis_key(xlsx, edit):
    wb = load_workbook(xlsx)
    edit(wb)
    wb.save(xlsx)


@pytest.mark.parametrize("edit, message", [
    (lambda wb: wb["指标"].__setitem__("D2", "十五"), "r.xlsx 指标!D2: 需要数字，得到 “十五”"),
    (lambda wb: wb["指标"].__setitem__("B3", "no-such-id"), "r.xlsx 指标!B3: 数据文件中没有 id “no-such-id”"),
    (lambda wb: wb["指标"].delete_cols(4), "r.xlsx 指标!1: 缺少列“数值”"),
    (lambda wb: wb.remove(wb["目标"]), "r.xlsx 目标: 缺少工作表“目标”"),
    (lambda wb: wb["目标"].__setitem__("A2", "路径九"), "r.xlsx 目标!A2: 没有这个路径“路径九”"),
    (lambda wb: wb["目标"].__setitem__("H3", "大约"), "r.xlsx 目标!H3: 不认识的限定词“大约”"),
    (lambda wb: wb["目标"].__setitem__("I3", "nothing"), "r.xlsx 目标!I3: 没有 id 为“nothing”的指标"),
])
def test_a_mis_keyed_sheet_names_the_cell_and_changes_nothing(draft, tmp_path, capsys, edit, message):
    xlsx = tmp_path / "r.xlsx"
    assert main(["export", str(draft), "--xlsx", "-o", str(xlsx)]) == 0
    _mis_key(xlsx, edit)
    before = draft.read_bytes()
    assert main(["import", str(xlsx), "--into", str(draft)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert draft.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.yaml", "r.xlsx"]


def test_export_does_not_overwrite_a_workbook_without_force(tmp_path, capsys):
    xlsx = tmp_path / "y.xlsx"
    xlsx.write_bytes(b"clerk's corrections")
    assert main(["export", str(DATA), "--xlsx", "-o", str(xlsx)]) == 2
    assert xlsx.read_bytes() == b"clerk's corrections" and "已存在" in capsys.readouterr().err


def test_import_of_a_workbook_needs_into(tmp_path, capsys):
    xlsx = tmp_path / "y.xlsx"
    assert main(["export", str(DATA), "--xlsx", "-o", str(xlsx)]) == 0
    assert main(["import", str(xlsx)]) == 2
    assert "--into" in capsys.readouterr().err


def test_merged_2023_file_still_loads(tmp_path):
    data = tmp_path / "y.yaml"
    shutil.copy(DATA, data)
    xlsx = tmp_path / "y.xlsx"
    assert main(["export", str(data), "--xlsx", "-o", str(xlsx)]) == 0
    wb = load_workbook(xlsx)
    from openpyxl.utils import get_column_letter

    from briefing.data.importer.xlsx import METRIC_COLUMNS

    wb["指标"][f"{get_column_letter(METRIC_COLUMNS.index('待核对') + 1)}2"] = "待核对"  # a clerk may put a mark back
    wb.save(xlsx)
    assert main(["import", str(xlsx), "--into", str(data)]) == 0
    assert load(data).metrics()["fixed-asset-investment-growth"].value == 10.1
    assert "# 待核对" in data.read_text(encoding="utf-8").splitlines()[
        next(i for i, x in enumerate(data.read_text(encoding="utf-8").splitlines()) if "fixed-asset" in x)]
