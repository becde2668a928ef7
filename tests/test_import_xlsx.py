"""The Excel review loop: export, correct in Excel, merge back; the round trip is the identity."""

from __future__ import annotations

import shutil

import pytest
import yaml
from openpyxl import load_workbook

from briefing.commands.entry import main
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
    assert main(["export", str(DATA), "--xlsx", "-o", str(xlsx)]) == 0
    wb = load_workbook(xlsx)
    wb["指标"]["D2"] = 99  # the clerk's corrections, not merged yet
    wb.save(xlsx)
    corrected = xlsx.read_bytes()
    capsys.readouterr()
    assert main(["export", str(DATA), "--xlsx", "-o", str(xlsx)]) == 2
    assert xlsx.read_bytes() == corrected and "已存在" in capsys.readouterr().err


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


# -- a workbook a clerk edited in odd ways, or that is not a workbook at all ----------------------

@pytest.fixture
def exported(tmp_path):
    data = tmp_path / "y.yaml"
    shutil.copy(DATA, data)
    xlsx = tmp_path / "y.xlsx"
    assert main(["export", str(data), "--xlsx", "-o", str(xlsx)]) == 0
    return data, xlsx


def _refused(data, xlsx, capsys, *messages):
    before = data.read_bytes()
    assert main(["import", str(xlsx), "--into", str(data)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for message in messages:
        assert message in err, err
    assert data.read_bytes() == before
    assert sorted(p.name for p in data.parent.iterdir()) == sorted([data.name, xlsx.name])
    return err


def test_a_percentage_typed_with_its_sign_is_the_figure_shown(exported):
    data, xlsx = exported
    wb = load_workbook(xlsx)
    sheet = wb["指标"]
    assert sheet["C4"].value == "地方一般公共预算收入" and sheet["I4"].value == 11.93
    sheet["I4"] = 0.1195  # typed as 11.95%: Excel stores 0.1195 and shows it in % format
    sheet["I4"].number_format = "0.00%"
    wb.save(xlsx)
    assert main(["import", str(xlsx), "--into", str(data)]) == 0
    assert load(data).metrics()["public-budget-revenue"].growth == 11.95


@pytest.mark.parametrize("typed", ["1e400", "inf", "-Infinity", "nan"])
def test_a_number_that_is_not_finite_is_named_by_its_cell(exported, capsys, typed):
    data, xlsx = exported
    wb = load_workbook(xlsx)
    wb["指标"]["D3"] = typed
    wb.save(xlsx)
    _refused(data, xlsx, capsys, "y.xlsx 指标!D3:", typed)


@pytest.mark.parametrize("cell", ["D3", "I3"])  # a required figure, and an optional one
def test_a_formula_saved_without_its_result_is_named_not_read_as_empty(exported, capsys, cell):
    data, xlsx = exported
    wb = load_workbook(xlsx)
    wb["指标"][cell] = "=D2*2"  # openpyxl saves no result: as a workbook written by a program would be
    wb.save(xlsx)
    _refused(data, xlsx, capsys, f"y.xlsx 指标!{cell}:", "=D2*2")


@pytest.mark.parametrize("content, says", [
    (b"\xef\xbb\xbf\xe7\xad\x94\xe5\x8d\xb7,id\n1,2\n", "不是 .xlsx"),  # a .csv saved with the wrong name
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "不是 .xlsx"),  # an old .xls/.doc (OLE)
    (b"", "不是 .xlsx"),
])
def test_a_file_that_is_not_a_workbook_is_named(exported, capsys, content, says):
    data, xlsx = exported
    xlsx.write_bytes(content)
    _refused(data, xlsx, capsys, "y.xlsx", says)


def test_a_word_file_named_xlsx_is_named_as_one(exported, capsys):
    data, xlsx = exported
    shutil.copy(ARTICLES / "shixi-2024.docx", xlsx)
    _refused(data, xlsx, capsys, "y.xlsx", "Word")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(exported, capsys):
    import zipfile

    data, xlsx = exported
    with zipfile.ZipFile(load_bomb := xlsx.with_name("b.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        with zipfile.ZipFile(xlsx) as good:
            for item in good.infolist():
                if item.filename != "xl/worksheets/sheet1.xml":
                    z.writestr(item, good.read(item))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as w:
            chunk = b"<!-- " + b" " * (1 << 20) + b" -->"
            for _ in range(1024):  # 1 GB unpacked, 1 MB packed
                w.write(chunk)
    load_bomb.replace(xlsx)
    assert xlsx.stat().st_size < 8 << 20
    _refused(data, xlsx, capsys, "y.xlsx", "MB")


def test_a_merge_that_would_make_the_data_file_invalid_writes_nothing(exported, capsys):
    data, xlsx = exported
    wb = load_workbook(xlsx)
    sheet = wb["指标"]
    row = next(c.row for c in sheet["B"] if c.value == "self-built-houses-checked")
    sheet.delete_rows(row)  # another metric is part_of it
    wb.save(xlsx)
    _refused(data, xlsx, capsys, "part_of", "self-built-houses-checked")


def test_a_data_file_changed_since_the_export_is_not_overwritten(exported, capsys):
    data, xlsx = exported
    text = data.read_text(encoding="utf-8")
    assert "value: 121.39, unit: 亿元" in text
    data.write_text(text.replace("value: 121.39, unit: 亿元", "value: 130.5, unit: 亿元"), encoding="utf-8")
    wb = load_workbook(xlsx)
    wb["指标"]["D3"] = 125  # the clerk's correction of the same figure
    wb.save(xlsx)
    _refused(data, xlsx, capsys, "y.yaml", "y.xlsx", "答卷一")


def test_edits_on_both_sides_to_different_lists_merge(exported):
    data, xlsx = exported
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace("value: 121.39, unit: 亿元", "value: 130.5, unit: 亿元"), encoding="utf-8")
    wb = load_workbook(xlsx)
    sheet = wb["指标"]
    row = next(c.row for c in sheet["A"] if c.value == "答卷二")
    sheet[f"D{row}"] = 77
    wb.save(xlsx)
    assert main(["import", str(xlsx), "--into", str(data)]) == 0
    doc = load(data)
    assert doc.metrics()["industrial-output"].value == 130.5  # the data file's own edit stays
    assert doc.results.answers[1].metrics[0].value == 77  # and the clerk's is merged


def test_cells_merged_down_over_a_group_belong_to_each_row(exported):
    """A clerk merges 路径 down over a path's rows (and a target's text over its quantities'
    rows), as a grouped sheet is made in Excel: only the first cell holds the value. Each row
    was read as having no path (“没有这个路径“None””)."""
    data, xlsx = exported
    before = data.read_bytes()
    wb = load_workbook(xlsx)
    sheet = wb["目标"]
    keys = [(c.row, c.value, sheet[f"B{c.row}"].value) for c in sheet["A"][1:]]
    path, number = next((p, n) for _, p, n in keys if sum(k[1:] == (p, n) for k in keys) > 1)
    rows = [r for r, p, _ in keys if p == path]
    group = [r for r, p, n in keys if (p, n) == (path, number)]
    for r in rows[1:]:
        sheet[f"A{r}"] = None
    sheet.merge_cells(f"A{rows[0]}:A{rows[-1]}")
    sheet.merge_cells(f"C{group[0]}:C{group[-1]}")
    wb.save(xlsx)
    assert main(["import", str(xlsx), "--into", str(data)]) == 0
    assert data.read_bytes() == before
