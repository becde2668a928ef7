"""briefing import: articles (text, e-paper paste, Word) → draft data files that build once the
listed blanks are filled; the clean-up and extraction rules; bad input."""

from __future__ import annotations

import importlib.util
import re

import pytest
import yaml

from briefing.commands.entry import main
from briefing.data.importer import import_document
from briefing.data.importer.clean import normalise, numerals, paragraphs
from briefing.data.importer.rules import figures, metrics_of, targets_of
from briefing.data.load import load
from briefing.data.marks import review_marks
from briefing.errors import DataError

from .conftest import DATA, ROOT

ARTICLES = ROOT / "tests" / "import"
YANFENG = ["yanfeng-2023.txt", "yanfeng-2023-wrapped.txt", "yanfeng-2023.docx"]


def _bench():
    spec = importlib.util.spec_from_file_location("import_score", ROOT / "bench" / "import_score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", YANFENG)
def test_the_2023_article_is_read_as_the_hand_made_file(name):
    s = _bench().score(ARTICLES / name, DATA)
    assert s["answers"] == (5, 5) and s["paths"] == (6, 6)
    assert min(*s["metrics"], *s["quantities"]) >= 0.98, s["misses"]


MADE_UP = [("qingshi-2024.txt", "qingshi-2024.truth.yaml"),
           ("qingshi-2024-wrapped.txt", "qingshi-2024.truth.yaml"),
           ("shixi-2024.docx", "shixi-2024.truth.yaml"),
           ("jintang-2024.txt", "jintang-2024.truth.yaml"),
           ("yunling-2025-phone.txt", "yunling-2025-phone.truth.yaml"),
           ("liutang-2024-bold.docx", "liutang-2024-bold.truth.yaml"),
           ("heming-2024-numbered.docx", "heming-2024-numbered.truth.yaml"),
           ("luwan-2025-heiti.docx", "luwan-2025-heiti.truth.yaml"),
           ("chishui-2025-kaiti.docx", "chishui-2025-kaiti.truth.yaml")]
# Word files written by a blind reviewer (see tests/import/README.md).
REVIEWER = [("xinglin-2024.docx", "xinglin-2024.truth.yaml"),
            ("qinglan-2025.docx", "qinglan-2025.truth.yaml"),
            ("qinglan-nocolon.docx", "qinglan-2025.truth.yaml")]


@pytest.mark.parametrize("name, truth", REVIEWER)
def test_reviewer_word_files_have_their_sections_titles_and_closing(name, truth):
    """Titles ending in a full-width colon are titles (the colon dropped); a bold slogan
    (项目为王，实干为先！) and bold lead-in sentences are not; the rallying last paragraph is the
    closing, not a target of the last path."""
    s = _bench().score(ARTICLES / name, ARTICLES / truth)
    assert s["answers"][0] == s["answers"][1] and s["paths"][0] == s["paths"][1]
    assert s["titles"] == 1.0 and s["quantities"] == (1.0, 1.0), s["misses"]
    draft = yaml.safe_load(import_document(ARTICLES / name).text)
    expected = yaml.safe_load((ARTICLES / truth).read_text(encoding="utf-8"))
    assert draft["closing"] == expected["closing"]
    last = draft["plan"]["paths"][-1]
    assert not any(expected["closing"][0][:8] in t["text"] for t in last["targets"])
    answers = draft["results"]["answers"]
    assert all("项目为王，实干为先！" != a["title"] for a in answers)


@pytest.mark.parametrize("name, truth", MADE_UP)
def test_made_up_articles_meet_the_targets(name, truth):
    s = _bench().score(ARTICLES / name, ARTICLES / truth)
    assert s["answers"][0] == s["answers"][1] and s["paths"][0] == s["paths"][1]
    assert min(*s["metrics"], *s["quantities"]) >= 0.98, s["misses"]


def _fill_blanks(path):
    """What the office does with the listed blanks (the 待填写 lines), programmatically."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  city:.*$", "  city: 衡阳市", text)
    text = re.sub(r"(?m)^  office:.*$", "  office: 雁峰区人民政府办公室", text)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", YANFENG)
def test_draft_builds_into_a_verified_booklet_once_the_blanks_are_filled(name, tmp_path, capsys):
    draft = tmp_path / "draft.yaml"
    assert main(["import", str(ARTICLES / name), "-o", str(draft)]) == 0
    err = capsys.readouterr().err
    assert "47 项指标" in err and "34 个数量" in err and "city、office" in err
    with pytest.raises(DataError) as info:  # the blanks are listed, each at its 待填写 line
        load(draft)
    lines = draft.read_text(encoding="utf-8").splitlines()
    assert {p.field for p in info.value.problems} == {"meeting.city", "meeting.office"}
    assert all("待填写" in lines[p.line - 1] for p in info.value.problems)
    _fill_blanks(draft)
    out = tmp_path / "draft.pdf"
    assert main(["build", str(draft), "-o", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert "处待核对" in err and out.is_file()
    assert main(["build", str(draft), "-o", str(tmp_path / "strict.pdf"), "-q", "--strict"]) == 2
    assert "待核对：核对后删除这条注释" in capsys.readouterr().err
    assert not (tmp_path / "strict.pdf").exists()


def test_removing_the_marks_ends_the_warning(tmp_path, capsys):
    draft = tmp_path / "d.yaml"
    assert main(["import", str(ARTICLES / "shixi-2024.docx"), "-o", str(draft)]) == 0
    _fill_blanks(draft)
    text = re.sub(r"  # 待(核对|补充).*", "", draft.read_text(encoding="utf-8"))
    text = re.sub(r"(?m)^ *# 待补充.*\n", "", text)
    draft.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["build", str(draft), "-o", str(tmp_path / "d.pdf"), "-q", "--strict"]) == 0
    assert "待核对" not in capsys.readouterr().err


def test_only_comments_are_marks():
    text = 'a: "价格 # 待核对"\nb: 1  # 待核对\n# 说明：“# 待核对”表示……\n  # 待补充：chart\n'
    assert review_marks(text) == [(2, "待核对"), (4, "待补充")]


# ---- clean-up ---------------------------------------------------------------------------

def test_widths_and_separators_are_normalised():
    assert normalise("总产值１２１．３９亿元，增长１１．９３％，新增１，２６０户") == "总产值121.39亿元，增长11.93%，新增1260户"
    assert normalise("启航! 向前") == "启航！向前"


@pytest.mark.parametrize("words, counted", [
    ("两个", "2个"), ("三项", "3项"), ("十二家", "12家"), ("两百余个", "200余个"), ("二十三处", "23处"),
    ("十二万人", "12万人"),
    ("三大行动", "三大行动"), ("十大重点项目", "十大重点项目"), ("居四城区第一", "居四城区第一"),
    ("三年行动", "三年行动"), ("第十一届", "第十一届"), ("一批城市", "一批城市"), ("市区两级", "市区两级"),
    ("六一小学", "六一小学"), ("三位一体", "三位一体"),
])
def test_counting_numerals_become_digits_and_names_stay(words, counted):
    assert numerals(words) == counted


@pytest.mark.parametrize("text", ["南岳电控5G仓储", "获评国家3A级景区", "PM2.5浓度", "“10分钟体育健身圈”",
                                  "建成15分钟生活圈", "湘江南路666号", "2022年度", "3月20日", "“两个100亿元”",
                                  "第2批"])
def test_names_are_not_figures(text):
    assert figures(text, plan=True) == []


def test_hard_wrapped_paste_is_joined_into_paragraphs():
    text = "标题行\n　　这一年，全区固定资产投\n资增长１０．１％；完成规\n模工业总产值。\n　　第二段。\n【答卷一】综合\n"
    assert [p for p, _, _ in paragraphs(text)] == [
        "标题行", "这一年，全区固定资产投资增长１０．１％；完成规模工业总产值。", "第二段。", "【答卷一】综合"]


def test_one_paragraph_a_line_is_not_joined():
    text = "第一段很长很长很长很长很长很长的文字。\n第二段。\n第三段文字，长度不同。\n"
    assert len(paragraphs(text)) == 3


# ---- extraction ---------------------------------------------------------------------------

def test_growth_after_a_figure_belongs_to_it_and_a_fall_is_negative():
    ms = metrics_of("社会消费品零售总额98.36亿元，比上年下降1.5%；城乡居民人均可支配收入增长5.8%。")
    assert [(m.label, m.figure.value, m.growth, m.kind) for m in ms] == [
        ("社会消费品零售总额", 98.36, -1.5, "amount"), ("城乡居民人均可支配收入增长", 5.8, None, "growth")]


def test_units_outside_the_usual_list_and_yu_are_kept():
    ms = metrics_of("PM2.5平均浓度降至31微克/立方米，比上年提高3.1个百分点；新登记市场主体4300余户，改造面积46.7万平方米。")
    assert [(m.figure.value, m.figure.unit) for m in ms] == [
        (31, "微克/立方米"), (3.1, "个百分点"), (4300, "余户"), (46.7, "万平方米")]


def test_yu_and_duo_before_the_magnitude_stay_in_the_unit():
    """余/多 may come before 万 or 亿 (4200余万元, 300多万人): the figure is still read, with
    its unit as written, so the booklet prints what the article says (青岚's 4200余万元 was
    missed)."""
    ms = metrics_of("发放各类救助资金4200余万元；带动就业300多万人；完成投资2000余亿元；新增就业1万余人。")
    assert [(m.figure.value, m.figure.unit) for m in ms] == [
        (4200, "余万元"), (300, "多万人"), (2000, "余亿元"), (1, "万余人")]


def test_shares_get_their_kind():
    ms = metrics_of("村庄垃圾有效治理率达100%；高新技术产业增加值占GDP比重达22.8%；压减经费支出20%以上。")
    assert [m.kind for m in ms] == ["share", "share", "amount"]
    assert ms[2].figure.comparator == "以上"


def test_targets_split_with_ranges_and_comparators():
    ts = targets_of("新的一年，青石区将力争地区生产总值增长6%—6.5%，固定资产投资增长8%左右；"
                    "实施重点项目五十个以上，其中新开工项目不少于20个；确保PM2.5平均浓度不超过30微克/立方米。")
    assert [t.text for t in ts] == ["力争地区生产总值增长6%—6.5%", "固定资产投资增长8%左右",
                                    "实施重点项目五十个以上，其中新开工项目不少于20个",
                                    "确保PM2.5平均浓度不超过30微克/立方米"]
    assert ts[0].quantities == [{"value": 6, "unit": "%", "value_max": 6.5}]
    assert [q["comparator"] for q in ts[2].quantities] == ["以上", "不少于"]
    assert ts[3].quantities[0]["comparator"] == "不超过"


def test_ids_are_readable_and_stable_across_a_reimport(tmp_path):
    first = import_document(ARTICLES / "yanfeng-2023.txt").text
    src = tmp_path / "a.txt"
    src.write_text((ARTICLES / "yanfeng-2023.txt").read_text(encoding="utf-8").replace("撬动沉淀资金7634万元",
                                                                                       "撬动沉淀资金7643万元"),
                   encoding="utf-8")
    second = import_document(src).text
    changed = [(a, b) for a, b in zip(first.splitlines(), second.splitlines()) if a != b]
    assert len(changed) == 3  # the file name in the header, the paragraph, the metric: its id stays
    assert 'id: "撬动沉淀资金"' in changed[-1][1] and "7643" in changed[-1][1]
    ids = [m["id"] for a in yaml.safe_load(first)["results"]["answers"] for m in a["metrics"]]
    assert "新增城镇就业" in ids and len(set(ids)) == len(ids)


# ---- sections -----------------------------------------------------------------------------

def test_sections_from_headings_are_said_in_the_summary(capsys, tmp_path):
    assert main(["import", str(ARTICLES / "shixi-2024.txt"), "-o", str(tmp_path / "s.yaml")]) == 0
    err = capsys.readouterr().err
    assert "由“一、”大标题下的“（一）”小标题找到" in err and "2 个答卷、2 条路径" in err


def test_without_sections_the_message_lists_the_headings_and_sections_maps_them(tmp_path, capsys):
    src = tmp_path / "flat.txt"
    src.write_text("标题\n\n一、经济发展\n\n全区生产总值100亿元。\n\n二、民生改善\n\n新增就业3000人。\n\n"
                   "三、明年目标\n\n力争生产总值增长6%。\n", encoding="utf-8")
    assert main(["import", str(src)]) == 2
    err = capsys.readouterr().err
    assert "找不到成绩与目标的分节" in err and "1. 一、经济发展" in err and "--sections" in err
    assert not src.with_suffix(".yaml").exists()
    assert main(["import", str(src), "--sections", "answers=1-2,paths=3"]) == 0
    draft = yaml.safe_load(src.with_suffix(".yaml").read_text(encoding="utf-8"))
    assert [a["title"] for a in draft["results"]["answers"]] == ["经济发展", "民生改善"]
    assert draft["plan"]["paths"][0]["targets"][0]["quantities"] == [{"value": 6, "unit": "%"}]
    assert "按 --sections" in capsys.readouterr().err


# ---- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "文件是空的"),
    ("blank.txt", b"  \n\n", "文件是空的"),
    ("binary.txt", bytes(range(256)) * 4, "二进制文件"),
    ("old.doc", b"\xd0\xcf\x11\xe0whatever", "另存为” .docx"),
    ("scan.pdf", b"%PDF-1.7 ...", "复制正文"),
    ("renamed.txt", b"%PDF-1.4 ...", "复制正文"),
    ("nofigures.txt", "标题\n\n【答卷一】好\n\n很好。\n\n【路径一】更好\n\n更好。\n".encode(), "没有找到任何数字"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "无法读取这个 Word 文件"),
])
def test_bad_input_is_a_clear_message_with_exit_2(tmp_path, capsys, name, content, message):
    src = tmp_path / name
    src.write_bytes(content)
    assert main(["import", str(src), "-o", str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err
    assert message in err and str(src) in err and "Traceback" not in err
    assert not (tmp_path / "out.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing else written


def test_an_existing_draft_is_not_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "d.yaml"
    out.write_text("keep me", encoding="utf-8")
    assert main(["import", str(ARTICLES / "yanfeng-2023.txt"), "-o", str(out)]) == 2
    assert "已存在" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "keep me"
    assert main(["import", str(ARTICLES / "yanfeng-2023.txt"), "-o", str(out), "--force"]) == 0


def test_gb18030_text_is_read_with_a_note(tmp_path, capsys):
    src = tmp_path / "gbk.txt"
    src.write_bytes((ARTICLES / "qingshi-2024.txt").read_text(encoding="utf-8").encode("gb18030"))
    assert main(["import", str(src)]) == 0
    err = capsys.readouterr().err
    assert "GB18030" in err and "30 项指标" in err


def test_the_data_stage_does_not_load_word_or_excel_for_a_build():
    import subprocess
    import sys

    code = ("import sys; from briefing.commands.build import build; "
            "print(any(m in sys.modules for m in ('docx', 'openpyxl', 'cn2an')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_article_copy_is_the_source_document():
    shared = ROOT.parent.parent / "shared" / "source" / "yanfeng-2023-two-sessions.txt"
    if shared.is_file():  # only where the shared folder is beside the checkout
        assert shared.read_bytes() == (ARTICLES / "yanfeng-2023.txt").read_bytes()


# ---- other ways the same article arrives ----------------------------------------------------

def _variant(tmp_path, name, change):
    src = tmp_path / name
    src.write_text(change((ARTICLES / "yanfeng-2023.txt").read_text(encoding="utf-8")), encoding="utf-8")
    return src


@pytest.mark.parametrize("name, change", [
    ("bare.txt", lambda t: re.sub(r"【(答卷|路径)(.)】", r"\1\2：", t)),  # 答卷一：综合实力稳步提升
    ("square.txt", lambda t: re.sub(r"【(答卷|路径)(.)】", r"■\1\2 ", t)),  # ■答卷一 综合实力稳步提升
    ("page.md", lambda t: re.sub(r"(?m)^【", "## 【", t).replace("这一年，", "**这一年**，")),
    ("crlf.txt", lambda t: t.replace("\n", "\r\n")),
    ("digits.txt", lambda t: t.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}).replace("%", "％")),
])
def test_the_same_article_in_other_forms_reads_the_same(tmp_path, name, change):
    s = _bench().score(_variant(tmp_path, name, change), DATA)
    assert s["answers"] == (5, 5) and s["paths"] == (6, 6)
    assert min(*s["metrics"], *s["quantities"]) >= 0.98, s["misses"]


def test_word_headings_without_numbers_in_their_text(tmp_path):
    """Word's automatic numbering is not in the text: the heading styles say what is a section."""
    import docx

    document = docx.Document()
    document.add_heading("示例区两会特刊", 0)
    document.add_paragraph("2月1日，2024年示例区两会开幕。")
    document.add_heading("2023年回顾", 1)
    document.add_heading("经济发展", 2)
    document.add_paragraph("全区生产总值达到100亿元，增长5%。")
    document.add_heading("民生改善", 2)
    document.add_paragraph("新增就业3000人。")
    document.add_heading("2024年安排", 1)
    document.add_heading("稳增长", 2)
    document.add_paragraph("力争生产总值增长6%左右。")
    src = tmp_path / "styles.docx"
    document.save(str(src))
    draft = yaml.safe_load(import_document(src).text)
    assert [a["title"] for a in draft["results"]["answers"]] == ["经济发展", "民生改善"]
    assert [a["ordinal"] for a in draft["results"]["answers"]] == ["（一）", "（二）"]
    assert draft["results"]["answers"][0]["metrics"][0]["growth"] == 5
    assert draft["plan"]["paths"][0]["targets"][0]["quantities"] == [{"value": 6, "unit": "%", "comparator": "左右"}]
    assert draft["meeting"]["opening_date"].isoformat() == "2024-02-01"


def test_a_quantity_label_is_its_whole_phrase_never_cut_at_a_count():
    """The words before a figure back to the clause's last 、，（ or 和 (a leading 力争/新增… dropped),
    however long: 国家级“小巨人”企业 was cut to its last eight characters, 级“小巨人”企业."""
    ts = targets_of("新培育专精特新中小企业15家以上、国家级“小巨人”企业两家；"
                    "新签约亿元以上项目不少于30个，其中重大产业项目3至5个；"
                    "完成提质改造高标准农田4000亩、新建机耕道12公里。")
    assert [[x["label"] for x in t.quantities] for t in ts] == [
        ["新培育专精特新中小企业", "国家级“小巨人”企业"], ["新签约亿元以上项目", "其中重大产业项目"],
        ["提质改造高标准农田", "新建机耕道"]]


def test_a_quantity_label_is_not_cut_at_a_mark_inside_quotes():
    ts = targets_of("建成“一刻钟便民生活圈、15分钟健身圈”示范社区12个、新建村级服务站30个。")
    assert [x["label"] for x in ts[0].quantities] == ["建成“一刻钟便民生活圈、15分钟健身圈”示范社区", "新建村级服务站"]


def test_a_measure_a_bare_verb_comes_before_is_labelled_by_what_it_measures():
    """守牢7300亩耕地红线 was labelled 守牢, the verb before the figure: after a measure (亩,
    公里, 吨 …) the words that follow name the thing measured, as after a count (13个专委会)."""
    ts = targets_of("守牢7300亩耕地红线，建设12公里绿道；完成提质改造高标准农田4000亩、新建机耕道12公里。")
    assert [[x["label"] for x in t.quantities] for t in ts] == [["耕地红线", "绿道"], ["提质改造高标准农田", "新建机耕道"]]


PART_LEADS = ("示例区两会特刊\n\n2月1日，2024年示例区两会开幕。\n\n"
              "2023，稳中求进谱新篇\n\n2023年，示例区上下团结一心，交出了一份亮眼的成绩单——\n\n"
              "【成绩一】经济运行回升向好——\n\n全区生产总值达到100亿元，增长5%。\n\n"
              "【成绩二】民生福祉不断增进：\n\n新增就业3000人。\n\n"
              "2024，实干争先开新局\n\n2024年，示例区将锚定目标、真抓实干——\n\n"
              "【举措一】坚持项目为王，增强发展动能——\n\n力争生产总值增长6%左右。\n")


def test_a_part_title_is_the_title_line_and_the_line_that_leads_on_is_its_paragraph(tmp_path):
    """A short year line that ends in —— leads into what follows: it is the part's first
    paragraph, not its title, and not an achievement of the section before it."""
    src = tmp_path / "leads.txt"
    src.write_text(PART_LEADS, encoding="utf-8")
    draft = yaml.safe_load(import_document(src).text)
    assert draft["results"]["title"] == "2023，稳中求进谱新篇"
    assert draft["results"]["paragraphs"] == ["2023年，示例区上下团结一心，交出了一份亮眼的成绩单。"]
    assert draft["plan"]["title"] == "2024，实干争先开新局"
    assert draft["plan"]["paragraphs"] == ["2024年，示例区将锚定目标、真抓实干。"]
    assert draft["results"]["answers"][-1]["achievements"] == []
    assert "2023，稳中求进谱新篇" not in draft["foreword"]


def test_a_part_with_only_its_lead_line_has_a_title_to_fill_in(tmp_path):
    """No title line: the lead still opens the part (not the foreword, not the last answer's
    achievements), and the title is a 待填写 blank, never the lead sentence itself."""
    src = tmp_path / "leads.txt"
    src.write_text(PART_LEADS.replace("2023，稳中求进谱新篇\n\n", "").replace("2024，实干争先开新局\n\n", ""),
                   encoding="utf-8")
    result = import_document(src)
    draft = yaml.safe_load(result.text)
    assert draft["results"]["title"] is None and draft["plan"]["title"] is None
    assert result.blanks.count("title") == 2  # the two parts'
    assert draft["results"]["paragraphs"] == ["2023年，示例区上下团结一心，交出了一份亮眼的成绩单。"]
    assert draft["plan"]["paragraphs"] == ["2024年，示例区将锚定目标、真抓实干。"]
    assert draft["foreword"] == ["2月1日，2024年示例区两会开幕。"]
    assert draft["results"]["answers"][-1]["achievements"] == []


def test_titles_end_without_the_mark_that_led_into_the_text(tmp_path):
    src = tmp_path / "leads.txt"
    src.write_text(PART_LEADS.replace("2023，稳中求进谱新篇", "一、2023，稳中求进谱新篇——"), encoding="utf-8")
    draft = yaml.safe_load(import_document(src).text)
    assert draft["results"]["title"] == "2023，稳中求进谱新篇"
    assert [a["title"] for a in draft["results"]["answers"]] == ["经济运行回升向好", "民生福祉不断增进"]
    assert [p["title"] for p in draft["plan"]["paths"]] == ["坚持项目为王，增强发展动能"]


def test_a_hard_wrapped_line_that_starts_with_a_year_is_not_a_title(tmp_path):
    """A phone paste breaks a paragraph at a width (ASCII digits half a character): its first
    line, 2023年，面对…, is as wide as the next and goes on in it, so it is text, not a part title."""
    src = tmp_path / "phone.txt"
    src.write_text(PART_LEADS.replace(
        "2023年，示例区上下团结一心，交出了一份亮眼的成绩单——",
        "2023年，面对外部环境变化带来的不利影响，示例区坚持\n稳中求进工作总基调，全力以赴拼经济、抓项目、惠民\n"
        "生、优环境，交出了一份厚重答卷。"), encoding="utf-8")
    draft = yaml.safe_load(import_document(src).text)
    assert draft["results"]["title"] == "2023，稳中求进谱新篇"
    assert draft["results"]["paragraphs"] == ["2023年，面对外部环境变化带来的不利影响，示例区坚持稳中求进工作总基调，"
                                              "全力以赴拼经济、抓项目、惠民生、优环境，交出了一份厚重答卷。"]


@pytest.mark.parametrize("name, truth", MADE_UP + REVIEWER)
def test_part_and_section_titles_are_the_truths(name, truth):
    assert _bench().score(ARTICLES / name, ARTICLES / truth)["titles"] == 1.0


# ---- what pastes from Word, web pages and Notepad bring along --------------------------------

def test_spaces_no_font_has_never_reach_the_draft(tmp_path, capsys):
    """Tabs, thin and narrow no-break spaces (121.39 亿元, 10.1 %) and line separators, as web
    pages and Word paste them: the draft once kept them, and its build then drew them as tofu
    (or, now, refuses them). The import reads them as the spaces they stand for."""
    from briefing.fonts.register import register

    text = (ARTICLES / "yanfeng-2023.txt").read_text(encoding="utf-8")
    odd = (text.replace("亿元", "\u2009亿元").replace("%", "\u202f%").replace("，", "，\t", 20)
           .replace("。", "。\u2028", 10).replace("万", "\u205f万", 5).replace("\n\n", "\n\u3000\u1680\n", 3))
    src = tmp_path / "odd.txt"
    src.write_text(odd, encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    assert main(["import", str(src), "-o", str(draft)]) == 0
    assert "47 项指标" in capsys.readouterr().err  # the figures are read through the spaces
    _fill_blanks(draft)
    missing = register().missing
    assert not missing(draft.read_text(encoding="utf-8"))
    load(draft, missing_glyphs=missing)  # no problem at all


def test_an_article_beyond_the_limit_is_refused_before_the_work(tmp_path, capsys):
    """A file of 60 articles took minutes (matching each target with each figure grows with the
    square of the length) and its draft was too large for the data file's own limit: refused at
    once, naming the limit, with nothing written."""
    import time

    from briefing.data.importer.clean import MAX_ARTICLE

    text = (ARTICLES / "yanfeng-2023.txt").read_text(encoding="utf-8")
    src = tmp_path / "many.txt"
    src.write_text(text * (MAX_ARTICLE // len(text) + 1), encoding="utf-8")
    start = time.monotonic()
    assert main(["import", str(src), "-o", str(tmp_path / "out.yaml")]) == 2
    assert time.monotonic() - start < 10
    err = capsys.readouterr().err
    assert str(src) in err and f"{MAX_ARTICLE:,}" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.txt"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])  # Notepad's "Unicode" and "Unicode big endian"
def test_utf16_text_with_its_mark_is_read_with_a_note(tmp_path, capsys, encoding):
    src = tmp_path / "notepad.txt"
    text = (ARTICLES / "qingshi-2024.txt").read_text(encoding="utf-8")
    src.write_bytes(("\ufeff" + text).encode(encoding) if encoding == "utf-16-be" else text.encode(encoding))
    assert main(["import", str(src), "-o", str(tmp_path / "d.yaml")]) == 0
    err = capsys.readouterr().err
    assert "UTF-16" in err and "30 项指标" in err


def _tracked_docx(path):
    """A paragraph with Word's tracked changes: 150.0 deleted, 152.3 inserted, a word moved."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    when = 'w:author="科员" w:date="2024-01-05T09:00:00Z"'
    document = docx.Document()
    p = document.add_paragraph()
    p.add_run("2023年，全区地区生产总值")
    p._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" {when}><w:r><w:delText>150.0</w:delText></w:r></w:del>'))
    p._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" {when}><w:r><w:t>152.3</w:t></w:r></w:ins>'))
    p.add_run("亿元，")
    p._p.append(parse_xml(f'<w:moveFrom {nsdecls("w")} w:id="3" {when}><w:r><w:t>同比</w:t></w:r></w:moveFrom>'))
    p.add_run("增长5.1%")
    p._p.append(parse_xml(f'<w:moveTo {nsdecls("w")} w:id="4" {when}><w:r><w:t>，高于全市</w:t></w:r></w:moveTo>'))
    p.add_run("。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "数值"
    table.cell(1, 0).text = "税收收入"
    cell = table.cell(1, 1).paragraphs[0]._p
    cell.append(parse_xml(f'<w:del {nsdecls("w")} w:id="5" {when}><w:r><w:delText>11亿元</w:delText></w:r></w:del>'))
    cell.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="6" {when}><w:r><w:t>12亿元</w:t></w:r></w:ins>'))
    document.save(str(path))


def test_a_word_file_with_tracked_changes_is_read_as_accepted(tmp_path):
    """Word's tracked insertions sit in <w:ins>, not among the paragraph's runs: python-docx's
    text left them out, so a corrected figure (150.0 → 152.3) vanished from the draft."""
    from briefing.data.importer.docx import read_docx

    _tracked_docx(tmp_path / "t.docx")
    assert [p.text for p in read_docx(tmp_path / "t.docx")] == [
        "2023年，全区地区生产总值152.3亿元，增长5.1%，高于全市。", "税收收入12亿元。"]


def test_a_word_file_that_unpacks_to_a_gigabyte_is_refused_unread(tmp_path, capsys):
    import zipfile

    import docx

    good = tmp_path / "good.docx"
    docx.Document().save(str(good))
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                z.writestr(item, src.read(item))
                continue
            head, _, tail = src.read(item).partition(b"<w:body>")
            with z.open(item.filename, "w", force_zip64=True) as w:
                w.write(head + b"<w:body>")
                para = b"<w:p><w:r><w:t>" + "字".encode() * 40 + b"</w:t></w:r></w:p>"
                block = para * ((1 << 20) // len(para))
                for _ in range(1024):
                    w.write(block)
                w.write(tail)
    assert bomb.stat().st_size < 8 << 20
    assert main(["import", str(bomb), "-o", str(tmp_path / "d.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bomb.docx" in err and "MB" in err and "Traceback" not in err
    assert not (tmp_path / "d.yaml").exists()


# ---- Word files whose titles are formatted, not styled --------------------------------------

@pytest.mark.parametrize("name, levels", [
    # 柳塘: the part titles bold and centred by their paragraph style, the sections bold runs;
    # a bold sentence (。) and a centred caption are not titles, nor the headline or subtitle.
    ("liutang-2024-bold.docx", {"过去一年的成绩单": 1, "新一年的任务书": 1, "经济发展稳中有进": 2,
                                "城市面貌焕然一新": 2, "民生保障更加有力": 2, "扩投资稳增长": 2, "办实事惠民生": 2}),
    # 鹤鸣: 一、 bold centred 16 pt, （一） bold at the body size; the 一是… lead-ins are body text.
    ("heming-2024-numbered.docx", {"一、2023年：砥砺奋进结硕果": 1, "二、2024年：乘势而上谱新篇": 1,
                                   "（一）工业经济量质齐升": 2, "（二）乡村振兴扎实推进": 2,
                                   "（一）稳住工业基本盘": 2, "（二）做强农业特色牌": 2}),
    # 芦湾: no bold flag; 方正小标宋 centred and 黑体 (SimHei) titles against a 仿宋 body.
    ("luwan-2025-heiti.docx", {"2024：奋楫笃行谱新篇": 1, "2025：勇毅前行开新局": 1, "经济运行稳中向好": 2,
                               "生态环境持续改善": 2, "社会事业全面进步": 2, "全力拼经济": 2, "用心惠民生": 2}),
    # 赤水: GB/T 9704's order, no bold flag: 黑体 一、 titles over 楷体 （一） titles against a 仿宋
    # body; the 楷体 subtitle, byline, editor's note and photo caption are not titles.
    ("chishui-2025-kaiti.docx", {"一、2024年：攻坚克难谱新篇": 1, "二、2025年：乘势而上启新程": 1,
                                 "（一）产业发展提质增效": 2, "（二）城乡面貌持续改善": 2, "（三）民生福祉不断增进": 2,
                                 "（一）做强实体经济": 2, "（二）办好民生实事": 2}),
])
def test_word_titles_are_read_from_how_they_look(name, levels):
    from briefing.data.importer.docx import read_docx

    found = {p.text: p.level for p in read_docx(ARTICLES / name) if p.level}
    assert found == levels


def _docx(path, paras, body=12):
    """A Word file of (text, how) paragraphs: how is "" (body), "b" (bold), "bc" (bold, centred),
    "lead" (a bold lead-in of four characters), or a font name for the Chinese text."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    document.styles["Normal"].font.size = Pt(body)
    for text, how in paras:
        p = document.add_paragraph()
        if how == "lead":
            p.add_run(text[:4]).bold = True
            text = text[4:]
        run = p.add_run(text)
        if how in ("b", "bc"):
            run.bold = True
        if how == "bc":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if how not in ("", "b", "bc", "lead"):
            run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), how)
    document.save(str(path))
    return path


def test_bold_lead_ins_and_bold_sentences_are_not_titles(tmp_path):
    from briefing.data.importer.docx import read_docx

    src = _docx(tmp_path / "lead.docx", [
        ("示例区两会特刊", "bc"), ("2月1日，2024年示例区两会开幕。", ""),
        ("一是抓项目。全年实施项目30个。", "lead"), ("全区上下齐心协力。", "b"),
        ("二是抓招商", "b"), ("这是一个很长的加粗段落，它虽然没有句号但是显然超过了一个标题应有的长度，是一段正文的开头部分", "b"),
        ("主要指标如下：", "b"), ("经济发展", "b"), ("全区生产总值100亿元。", ""),
        ("全年新增市场主体2000户，新引进项目二十个，到位资金30亿元；完成老旧小区改造40个。" * 3, "")])
    assert [(p.text, p.level) for p in read_docx(src) if p.level] == [("经济发展", 1)]


@pytest.mark.parametrize("how", ["黑体", "b"])
def test_a_heavy_font_or_bold_is_no_title_where_the_body_is_set_so(tmp_path, how):
    from briefing.data.importer.docx import read_docx

    src = _docx(tmp_path / "hei.docx", [("标题", how), ("短句一", how), ("全区生产总值100亿元，增长5%。", how),
                                        ("新增就业3000人，城镇调查失业率低于5.5%。", how)])
    assert [p.level for p in read_docx(src)] == [None] * 4


def test_title_typefaces_rank_as_gongwen_sets_them(tmp_path):
    """黑体 above 楷体 above a bold body face, all at the body size and not centred: three levels
    (they were one: only size and centring ranked a title)."""
    from briefing.data.importer.docx import read_docx

    body = "全区生产总值达到100亿元，增长5%；新增就业3000人，城镇调查失业率低于5.5%。"
    src = _docx(tmp_path / "faces.docx", [
        ("2月1日，2024年示例区两会开幕。", ""), ("一、过去一年", "黑体"), ("（一）经济发展", "楷体_GB2312"), ("1.工业", "b"), (body, ""), (body, ""),
        ("（二）民生改善", "KaiTi"), (body, ""), ("二、新的一年", "SimHei"), ("（一）稳增长", "楷体"), (body, "")])
    assert [(p.text, p.level) for p in read_docx(src) if p.level] == [
        ("一、过去一年", 1), ("（一）经济发展", 2), ("1.工业", 3), ("（二）民生改善", 2), ("二、新的一年", 1),
        ("（一）稳增长", 2)]


def test_bold_titles_under_styled_headings_are_a_level_below_them(tmp_path):
    """Parts in 标题 1, sections only bold: the bold sections are level 2 under the styled parts."""
    import docx

    document = docx.Document()
    document.add_paragraph("示例区两会特刊")
    document.add_paragraph("2月1日，2024年示例区两会开幕。")
    for part, sections in (("过去一年", ["经济发展", "民生改善"]), ("新的一年", ["稳增长"])):
        document.add_heading(part, 1)
        for title in sections:
            document.add_paragraph().add_run(title).bold = True
            document.add_paragraph("全区生产总值达到100亿元，增长5%。")
    document.save(str(tmp_path / "mixed.docx"))
    draft = yaml.safe_load(import_document(tmp_path / "mixed.docx").text)
    assert [a["title"] for a in draft["results"]["answers"]] == ["经济发展", "民生改善"]
    assert [p["title"] for p in draft["plan"]["paths"]] == ["稳增长"]


def test_bold_titles_make_sections_and_the_summary_says_how(tmp_path, capsys):
    src = _docx(tmp_path / "bold.docx", [
        ("示例区两会特刊", "bc"), ("2月1日，2024年示例区两会开幕。", ""),
        ("过去一年", "bc"), ("经济发展", "b"), ("全区生产总值达到100亿元，增长5%。", ""),
        ("民生改善", "b"), ("新增就业3000人。", ""),
        ("新的一年", "bc"), ("稳增长", "b"), ("力争生产总值增长6%左右。", "")])
    assert main(["import", str(src), "-o", str(tmp_path / "d.yaml")]) == 0
    assert "加粗" in capsys.readouterr().err
    draft = yaml.safe_load((tmp_path / "d.yaml").read_text(encoding="utf-8"))
    assert draft["results"]["title"] == "过去一年" and draft["plan"]["title"] == "新的一年"
    assert [a["title"] for a in draft["results"]["answers"]] == ["经济发展", "民生改善"]
    assert [p["title"] for p in draft["plan"]["paths"]] == ["稳增长"]


def test_a_word_file_without_titles_says_what_was_looked_for_and_how_to_fix_it(tmp_path, capsys):
    src = _docx(tmp_path / "plain.docx", [
        ("示例区两会特刊", ""), ("2月1日，2024年示例区两会开幕。", ""), ("经济发展", ""),
        ("全区生产总值达到100亿元，增长5%。", ""), ("新的一年", ""), ("力争生产总值增长6%左右。", "")])
    assert main(["import", str(src), "-o", str(tmp_path / "d.yaml")]) == 2
    err = capsys.readouterr().err
    assert str(src) in err and "找不到成绩与目标的分节" in err
    for words in ("加粗", "居中", "标题 1", "标题 2", "【答卷一】"):
        assert words in err, words
    assert not (tmp_path / "d.yaml").exists()


@pytest.mark.parametrize("line, title", [
    ("工业经济量质齐升：", True), ("坚持项目为王:", True), ("民生实事件件落地：", True),
    ("主要做法如下：", False), ("具体措施包括：", False), ("全年主要经济指标如下：", False),
    ("概括起来，有以下几点：", False), ("今年的目标是：", False), ("主要有：", False),
    ("面对复杂严峻的外部环境，全区上下采取了一系列措施：", False),
    ("项目为王，实干为先！", False), ("如何破解发展难题？", False), ("奋斗吧!", False),
    ("聚力项目建设，稳住经济大盘", True)])
def test_a_formatted_line_is_a_title_unless_it_introduces_or_exclaims(line, title):
    from briefing.data.importer.docx import titleish

    assert titleish(line) is title


@pytest.mark.parametrize("text, closing", [
    ("风好正是扬帆时。杏林区将以更加昂扬的姿态，奋力开创高质量发展新局面！", True),
    ("奋斗创造奇迹，实干成就未来。青岚县将以更加饱满的热情，书写高质量发展新答卷。", True),
    ("2025年，全县上下将为建设美丽青岚而不懈奋斗。", True),
    ("新增城镇就业3000人以上；奋力完成全年目标任务。", False),
    ("新建改扩建中小学校3所，新增学位2400个。", False)])
def test_a_closing_exhortation_is_told_by_its_words_and_has_no_figure(text, closing):
    from briefing.data.importer.structure import exhorts

    assert exhorts(text) is closing


def test_a_section_without_figures_is_flagged_not_silently_kept(tmp_path, capsys):
    """A bold slogan without ！ (项目为王，实干为先) taken for a title makes a section with no
    figure: its title line carries a 待核对 mark and the summary names it."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    d = docx.Document()

    def para(text, bold=False, part=False):
        p = d.add_paragraph()
        run = p.add_run(text)
        run.bold = bold or None
        if part:  # a part title: centred and larger
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.font.size = Pt(18)

    para("示例县两会综述")
    para("2024年示例县两会召开。")
    for part, sections in (("过去一年成绩", [("工业经济量质齐升", "地区生产总值达到312.7亿元，增长5.8%。"),
                                             ("项目为王，实干为先", "一批项目相继落地，为发展注入动能。"),
                                             ("生态环境持续向好", "森林覆盖率达到63.2%。")]),
                           ("今年目标", [("坚持项目为王", "全年实施重点项目120个。"),
                                         ("推动乡村振兴", "新建高标准农田2.5万亩。")])):
        para(part, True, part=True)
        for title, body in sections:
            para(title, True)
            para(body)
    src = tmp_path / "slogan.docx"
    d.save(src)
    out = tmp_path / "draft.yaml"
    assert main(["import", str(src), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    flagged = [line for line in text.splitlines() if "title:" in line and "可能不是一节" in line]
    assert len(flagged) == 1 and "项目为王，实干为先" in flagged[0]
    assert "项目为王，实干为先" in err and "没有找到任何指标" in err


# ---- "A和B分别…X和Y": one figure to each item, the shared head noun to each -----------------

@pytest.mark.parametrize("sentence, expected", [
    ("城镇居民和农村居民人均可支配收入分别达到4.86万元和2.35万元，分别增长5.1%和7.4%。",
     [("城镇居民人均可支配收入", 4.86, "万元", "amount", 5.1), ("农村居民人均可支配收入", 2.35, "万元", "amount", 7.4)]),
    ("全区粮食和蔬菜产量分别达到12.6万吨和30.2万吨。",
     [("粮食产量", 12.6, "万吨", "amount", None), ("蔬菜产量", 30.2, "万吨", "amount", None)]),
    ("新建和改造农村公路分别为120公里和85公里。",
     [("新建农村公路", 120, "公里", "amount", None), ("改造农村公路", 85, "公里", "amount", None)]),
    ("小学、初中和高中入学率分别达到100%、99.8%和96.5%。",
     [("小学入学率", 100, "%", "share", None), ("初中入学率", 99.8, "%", "share", None),
      ("高中入学率", 96.5, "%", "share", None)]),
    ("进出口总额和实际利用外资分别完成36.2亿元和1.8亿美元，分别比上年增长12.5%和下降8.3%。",
     [("进出口总额", 36.2, "亿元", "amount", 12.5), ("实际利用外资", 1.8, "亿美元", "amount", -8.3)]),
    ("工业投资、民间投资和技改投资分别增长12.3%、8.5%和20.1%。",
     [("工业投资增长", 12.3, "%", "growth", None), ("民间投资增长", 8.5, "%", "growth", None),
      ("技改投资增长", 20.1, "%", "growth", None)]),
    ("城镇新增就业和农村劳动力转移就业分别为4260人和1.2万人，其中高校毕业生就业980人。",
     [("城镇新增就业", 4260, "人", "amount", None), ("农村劳动力转移就业", 1.2, "万人", "amount", None),
      ("高校毕业生就业", 980, "人", "amount", None)]),
])
def test_respectively_gives_each_item_its_figure_and_the_shared_head(sentence, expected):
    ms = metrics_of(sentence)
    assert [(m.label, m.figure.value, m.figure.unit, m.kind, m.growth) for m in ms] == expected
    assert all(m.sentence == sentence for m in ms)


def test_respectively_with_counts_that_disagree_is_read_as_before():
    # Two items, three figures: no pairing is safe, each figure keeps the reading it had.
    sentence = "粮食和蔬菜产量分别达到12.6万吨、30.2万吨和5万吨。"
    assert len(metrics_of(sentence)) == 3


# ---- Word tables whose unit is in the row label or the column header ----------------------

WORD_TABLES = [
    (["指标", "2024年", "增长（%）"], [
        (["地区生产总值（亿元）", "312.7", "5.8"], [("地区生产总值", 312.7, "亿元", "amount", 5.8)]),
        (["城镇居民人均可支配收入(万元)", "4.86", "-1.2"], [("城镇居民人均可支配收入", 4.86, "万元", "amount", -1.2)]),
        (["固定资产投资（亿元）", "—", "6.2"], [("固定资产投资增长", 6.2, "%", "growth", None)]),
        (["森林覆盖率（%）", "63.2", ""], [("森林覆盖率", 63.2, "%", "share", None)]),
    ]),
    (["指标", "数值（亿元）", "增速"], [
        (["一般公共预算收入", "16.4", "4.9%"], [("一般公共预算收入", 16.4, "亿元", "amount", 4.9)]),
        (["税收收入", "11.2亿元", "3.0"], [("税收收入", 11.2, "亿元", "amount", 3.0)]),
    ]),
    (["项目", "完成值", "单位", "同比增长"], [
        (["社会消费品零售总额", "128.9", "亿元", "5.1"], [("社会消费品零售总额", 128.9, "亿元", "amount", 5.1)]),
    ]),
    (["指标", "数值", "同比增长（%）"], [
        (["接待游客（万人次）", "356", "12.0"], [("接待游客", 356, "万人次", "amount", 12.0)]),
    ]),
]


def test_word_table_units_in_the_label_or_header_go_to_the_figure(tmp_path):
    docx = pytest.importorskip("docx")
    from briefing.data.importer.docx import read_docx

    document = docx.Document()
    document.add_paragraph("一、经济运行稳中有进")
    expected = []
    for header, rows in WORD_TABLES:
        table = document.add_table(rows=1 + len(rows), cols=len(header))
        for row, texts in zip(table.rows, [header] + [cells for cells, _ in rows]):
            for cell, text in zip(row.cells, texts):
                cell.text = text
        expected += [m for _, ms in rows for m in ms]
    path = tmp_path / "tables.docx"
    document.save(path)
    got = [(m.label, m.figure.value, m.figure.unit, m.kind, m.growth)
           for p in read_docx(path)[1:] for m in metrics_of(p.text)]
    assert got == expected


def test_a_figure_the_text_and_its_table_both_state_is_one_metric():
    from briefing.data.importer.rules import distinct

    paragraphs = ["全县地区生产总值达到312.7亿元，增长5.8%。", "地区生产总值312.7亿元，增长5.8%。",
                  "地区生产总值312.7亿元，增长6.0%。"]
    ms = distinct([m for p in paragraphs for m in metrics_of(p)])
    assert [(m.label, m.figure.value, m.growth) for m in ms] == [("地区生产总值", 312.7, 5.8), ("地区生产总值", 312.7, 6.0)]
