"""Make the Word test files whose section titles are formatted, not styled (no 标题 1/2 style),
the way a district office types them in Word or WPS. All three articles are made up (虚构):

- ``liutang-2024-bold.docx`` (柳塘区): unnumbered titles. The two part titles use a paragraph
  style of the office's own (部分标题: bold, centred, 16 pt, set on the style, not the text);
  the section titles are bold runs at the body size, left-aligned. A whole bold sentence
  (ending 。) and a centred photo caption stand between them and are not titles.
- ``heming-2024-numbered.docx`` (鹤鸣县): 一、 titles bold and centred at 16 pt, （一） titles
  bold at the body size; body paragraphs begin with a bold lead-in (**一是**产业规模持续扩大。…).
- ``luwan-2025-heiti.docx`` (芦湾区): 公文-style fonts and no bold flag anywhere in the titles:
  the body in 仿宋_GB2312 16 pt (set on the Normal style), the part titles (2024：…) centred in
  方正小标宋简体, the section titles in 黑体 (one as SimHei) at the body size; body paragraphs
  begin with a bold lead-in phrase (**稳投资成效明显。**…).
- ``chishui-2025-kaiti.docx`` (赤水区): the 公文 order of GB/T 9704 with no bold flag: the body in
  仿宋_GB2312 16 pt, 一、 part titles in 黑体, （一） section titles in 楷体_GB2312 (one as KaiTi);
  the subtitle, the byline, an editor's note and a photo caption are in 楷体 too, and are not
  titles.

    .venv/bin/python tests/import/make_bold_docx.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def _east_asia(target, font: str) -> None:
    """The font for Chinese characters: w:rFonts/@w:eastAsia (python-docx's ``font.name`` sets
    only the Latin ones)."""
    from docx.oxml.ns import qn

    rpr = target.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _para(document, text: str, *, bold=None, size=None, center=False, font=None, lead: str = "", style=None):
    """One paragraph: ``lead`` is a bold lead-in before ``text``; the rest as asked."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = document.add_paragraph(style=style)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if lead:
        p.add_run(lead).bold = True
    run = p.add_run(text)
    if bold is not None:
        run.bold = bold
    if size:
        run.font.size = Pt(size)
    if font:
        _east_asia(run._r, font)
    return p


def _document(body_font: str | None = None, body_size: float | None = None):
    import docx
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    if body_size:
        normal.font.size = Pt(body_size)
    if body_font:
        _east_asia(normal.element, body_font)
    document.core_properties.author = "briefing tests"
    return document


def liutang(out: Path) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    d = _document(body_size=12)
    part = d.styles.add_style("部分标题", WD_STYLE_TYPE.PARAGRAPH)
    part.base_style = d.styles["Normal"]
    part.font.bold = True
    part.font.size = Pt(16)
    part.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def section(t):
        _para(d, t, bold=True)

    _para(d, "乘势而上开新局", bold=True, size=22, center=True, font="方正小标宋简体")
    _para(d, "——写在2024年柳塘区两会召开之际", bold=True, size=14, center=True)
    _para(d, "文/示例都市报记者 张三", center=True)
    _para(d, "3月2日，2024年柳塘区两会开幕。")
    _para(d, "一年来，柳塘区上下拼搏实干，经济社会发展稳中有进。")
    _para(d, "过去一年的成绩单", style="部分标题")
    _para(d, "全区上下攻坚克难，交出了一份沉甸甸的答卷。", bold=True)
    section("经济发展稳中有进")
    _para(d, "2023年，全区地区生产总值完成218.6亿元，同比增长5.6%；一般公共预算收入11.2亿元，增长4.1%。")
    _para(d, "新增市场主体2850户，新引进项目二十六个，到位资金38.5亿元。")
    section("城市面貌焕然一新")
    _para(d, "全年新建改造城市道路18.3公里，完成老旧小区改造42个；新增公园绿地面积26.5万平方米。")
    _para(d, "空气优良天数比例达88.2%，森林覆盖率达到39.6%。")
    _para(d, "柳塘湖畔新貌。 记者 张三 摄", center=True, size=10)
    section("民生保障更加有力")
    _para(d, "城镇新增就业6120人，城乡居民人均可支配收入达到4.12万元，增长6.3%。")
    _para(d, "新建学校两所，新增学位2400个；发放各类救助资金3680万元。")
    _para(d, "新一年的任务书", style="部分标题")
    _para(d, "2024年，柳塘区将聚焦发展第一要务，奋力谱写新篇章。")
    section("扩投资稳增长")
    _para(d, "新的一年，柳塘区将力争地区生产总值增长6%左右，一般公共预算收入增长5%以上；实施重点项目不少于45个。")
    _para(d, "全年新增市场主体3000户以上。")
    section("办实事惠民生")
    _para(d, "确保城镇新增就业6000人以上，新建改造城市道路10公里；新增普惠性托位三百个。")
    _para(d, "两会凝心聚力，实干成就未来。52万柳塘人民将踔厉奋发，书写高质量发展新答卷！")
    d.save(str(out))


def heming(out: Path) -> None:
    d = _document(body_size=12)

    def part(t):
        _para(d, t, bold=True, size=16, center=True)

    def section(t):
        _para(d, t, bold=True)

    _para(d, "同心奋进谱华章", bold=True, size=22, center=True)
    _para(d, "——写在2024年鹤鸣县两会召开之际", center=True)
    _para(d, "文/示例晚报记者 李四")
    _para(d, "1月10日，2024年鹤鸣县两会开幕。")
    _para(d, "过去一年，鹤鸣县干部群众团结奋斗，交出了一份厚重的发展答卷。")
    part("一、2023年：砥砺奋进结硕果")
    section("（一）工业经济量质齐升")
    _para(d, "全县规模以上工业总产值达到326.4亿元，增长8.2%；新增规模以上工业企业十八家。", lead="一是产业规模持续扩大。")
    _para(d, "高新技术企业总数达到71家，新增省级专精特新企业9家。", lead="二是创新动能不断增强。")
    section("（二）乡村振兴扎实推进")
    _para(d, "全年粮食播种面积52.6万亩，总产量21.8万吨。", lead="三是粮食生产稳定。")
    _para(d, "新建高标准农田3.5万亩，农村居民人均可支配收入2.36万元，增长7.1%。")
    part("二、2024年：乘势而上谱新篇")
    section("（一）稳住工业基本盘")
    _para(d, "新的一年，鹤鸣县将力争规模以上工业增加值增长7%以上，新增规模以上工业企业不少于15家。")
    _para(d, "项目建设，全年实施工业项目40个。", lead="重点抓好")
    section("（二）做强农业特色牌")
    _para(d, "确保粮食播种面积稳定在52万亩以上，新建高标准农田3万亩；农村居民人均可支配收入增长7%左右。")
    _para(d, "两会吹响新号角。36万鹤鸣人民将同心协力，奋力开创鹤鸣发展新局面！")
    d.save(str(out))


def luwan(out: Path) -> None:
    d = _document(body_font="仿宋_GB2312", body_size=16)

    def part(t):
        _para(d, t, center=True, font="方正小标宋简体")

    def section(t, font="黑体"):
        _para(d, t, font=font)

    _para(d, "踔厉奋发启新程", size=22, center=True, font="方正小标宋简体")
    _para(d, "——写在2025年芦湾区两会召开之际", center=True, font="楷体_GB2312")
    _para(d, "文/示例时报记者 王五", center=True, font="楷体_GB2312")
    _para(d, "2月20日，2025年芦湾区两会开幕。")
    _para(d, "这一年，芦湾区迎难而上，各项工作取得新成效。")
    part("2024：奋楫笃行谱新篇")
    section("经济运行稳中向好")
    _para(d, "全区固定资产投资完成96.8亿元，增长7.5%；地区生产总值达到265.3亿元，增长5.8%。", lead="稳投资成效明显。")
    _para(d, "社会消费品零售总额112.6亿元，增长4.9%；新增“四上”企业三十二家。")
    section("生态环境持续改善", font="SimHei")
    _para(d, "全年完成河道综合整治14.5公里，城市生活污水集中收集率达到78.4%。", lead="治水成效显现。")
    _para(d, "PM2.5平均浓度降至29微克/立方米，新增造林面积650公顷。")
    section("社会事业全面进步")
    _para(d, "新改扩建中小学校四所，新增学位3200个；建成社区养老服务中心十二个。")
    _para(d, "城镇新增就业7350人，居民人均可支配收入达到4.56万元，增长6.1%。")
    part("2025：勇毅前行开新局")
    _para(d, "新的一年，芦湾区将坚持稳中求进，全力以赴拼经济、惠民生。")
    section("全力拼经济")
    _para(d, "力争地区生产总值增长6%左右，固定资产投资增长8%以上；全年引进亿元以上项目不少于20个。", lead="稳增长。")
    section("用心惠民生")
    _para(d, "城镇新增就业7000人以上，新增学位不少于2000个；新建社区养老服务中心五个。")
    _para(d, "确保PM2.5平均浓度控制在30微克/立方米以内。")
    _para(d, "两会凝聚共识，奋斗创造未来。48万芦湾人民将携手并进，奋力书写芦湾新篇章！")
    d.save(str(out))


def chishui(out: Path) -> None:
    d = _document(body_font="仿宋_GB2312", body_size=16)

    def part(t):
        _para(d, t, font="黑体")

    def section(t, font="楷体_GB2312"):
        _para(d, t, font=font)

    _para(d, "聚力攻坚开新局", size=22, center=True, font="方正小标宋简体")
    _para(d, "——写在2025年赤水区两会召开之际", center=True, font="楷体_GB2312")
    _para(d, "文/示例日报记者 赵六", center=True, font="楷体_GB2312")
    _para(d, "编者按：2025年赤水区两会即将召开。本报梳理过去一年的发展成绩与新一年的目标任务，以飨读者。",
          font="楷体_GB2312")
    _para(d, "1月15日，2025年赤水区两会开幕。")
    _para(d, "过去一年，赤水区迎难而上、苦干实干，经济社会发展取得新成绩。")
    part("一、2024年：攻坚克难谱新篇")
    section("（一）产业发展提质增效")
    _para(d, "全区地区生产总值达到188.6亿元，增长5.9%；新增规模以上工业企业二十一家。")
    _para(d, "高新技术企业总数达到64家。")
    _para(d, "图为赤水工业园区一角。", center=True, size=12, font="楷体_GB2312")
    section("（二）城乡面貌持续改善", font="KaiTi")
    _para(d, "全年新建改造城市道路12.4公里，完成老旧小区改造36个。")
    _para(d, "森林覆盖率达到41.3%。")
    section("（三）民生福祉不断增进")
    _para(d, "城镇新增就业5230人，城乡居民人均可支配收入达到3.86万元，增长6.2%。")
    part("二、2025年：乘势而上启新程")
    section("（一）做强实体经济")
    _para(d, "新的一年，赤水区将力争地区生产总值增长6%左右，新增规模以上工业企业不少于15家。")
    section("（二）办好民生实事")
    _para(d, "确保城镇新增就业5000人以上，新建改造城市道路8公里。")
    _para(d, "两会汇聚力量，实干铸就辉煌。41万赤水人民将团结一心，奋力书写高质量发展新篇章！")
    d.save(str(out))


MAKERS = {"liutang-2024-bold.docx": liutang, "heming-2024-numbered.docx": heming, "luwan-2025-heiti.docx": luwan,
          "chishui-2025-kaiti.docx": chishui}


def main() -> None:
    for name, make in MAKERS.items():
        make(HERE / name)


if __name__ == "__main__":
    main()
