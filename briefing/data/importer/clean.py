"""Text clean-up shared by every source kind: decoding, widths, hard wraps, counting numerals.

Stored text keeps the article's words (三项 stays 三项 in a paragraph or a target); only the
copy the extraction rules read has its counting numerals turned into digits (3项).
"""

from __future__ import annotations

import re
from pathlib import Path as FsPath

from ...errors import DataError, InputError, Problem
from ...files import read_regular

FULLWIDTH = {**{chr(0xFF10 + i): str(i) for i in range(10)},
             **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
             **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
             "％": "%", "＋": "+", "／": "/", "～": "~", "\u3000": "\u3000"}
CJK = r"\u3400-\u9fff"
# Every whitespace character but the line break, the space, the full-width space and the no-break
# space (the ones the fonts draw), and the control characters that are not whitespace.
_ODD_SPACES = re.compile(r"[^\S\n \u3000\u00a0]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Half-width marks typed between Chinese characters (启航! 向…) become the full-width ones.
HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
TERMINAL = ("。", "！", "？", "…", "。”", "！”", "？”", "——")


class SourceError(DataError):
    """A source document that cannot be imported: one message naming the file."""

    def __init__(self, file: str, message: str):
        super().__init__([Problem(file, None, None, "", message)])


def decode(raw: bytes, file: str) -> tuple[str, str | None]:
    """The text and a note when it was not UTF-8; binary and empty input are refused."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode": UTF-16 with its byte-order mark
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceError(file, "无法按 UTF-16 读取（文件可能已损坏）；请另存为 UTF-8 文本") from None
        if not text.strip():
            raise SourceError(file, "文件是空的 (empty file)")
        return text, "按 UTF-16 编码读取 (read as UTF-16)"
    if not raw.strip():
        raise SourceError(file, "文件是空的 (empty file)")
    if b"\x00" in raw[:4096]:
        raise SourceError(file, "这是二进制文件，不是文字稿 (binary file)；请另存为 .txt（UTF-8）或 .docx")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "按 GB18030（GBK）编码读取 (read as GB18030)"
    except UnicodeDecodeError:
        raise SourceError(file, "无法识别文字编码（不是 UTF-8 也不是 GB18030）；请另存为 UTF-8 文本") from None


MAX_SOURCE_BYTES = 50 * 1024 * 1024  # an article with its photos; a text article is ~20 KB
# The text itself: a long article is 20,000 characters, a city's work report 40,000. The draft
# holds an article's text some three times over, and must stay well inside the data file's own
# limit (load.MAX_BYTES); matching targets with figures grows with the square of the length.
MAX_ARTICLE = 100_000


def check_length(chars: int, file: str) -> None:
    """Refuse a text longer than any article before any work is done on it."""
    if chars > MAX_ARTICLE:
        raise SourceError(file, f"文字太长：{chars:,} 个字符，上限 {MAX_ARTICLE:,}（一篇报道约 2 万字）；"
                                "请只导入两会报道或政府工作报告本身 (text too long for one article)")


def read_source(path: FsPath) -> bytes:
    """The bytes of a source document: a regular file only (a FIFO or a device is refused by
    its kind, never read), and never more than ``MAX_SOURCE_BYTES``."""
    try:
        return read_regular(path, MAX_SOURCE_BYTES)
    except InputError as exc:
        raise SourceError(str(path), str(exc)) from None



def normalise(text: str, byline: bool = False) -> str:
    """Widths and separators as the booklet writes them: 121.39 not １２１．３９, % not ％,
    1260 not 1,260; half-width punctuation between Chinese characters made full-width.
    Spaces the booklet's fonts have no glyph for (a tab, a thin or narrow space, a line
    separator) are plain spaces, and other control characters go: the draft must load."""
    text = _CONTROLS.sub("", _ODD_SPACES.sub(" ", text))
    text = "".join(FULLWIDTH.get(c, c) for c in text)
    text = re.sub(r"(?<=\d)[．·](?=\d)", ".", text)
    text = re.sub(r"(?<![\d,，])(\d{1,3})(?:[,，](\d{3}))+(?![\d])",
                  lambda m: m.group(0).replace(",", "").replace("，", ""), text)
    text = re.sub(rf"(?<=[{CJK}“”）》\d%])\s*([,;:!?])\s*(?=[{CJK}“（《]|$)",
                  lambda m: HALF_TO_FULL[m.group(1)], text)
    text = re.sub(rf"(?<=[{CJK}])\(([^()]*)\)", r"（\1）", text)
    if byline:  # 策划/旷善 统筹/贺小燕: the spaces separate names, kept as full-width spaces
        return re.sub(r"[ \t\u3000]+", "\u3000", text.strip())
    text = re.sub(rf"(?<=[{CJK}，。；：！？“”（）、])[ \t\u3000]+(?=[{CJK}，。；：！？“”（）、\d])", "", text)
    text = re.sub(rf"(?<=[\d%])[ \t]+(?=[{CJK}])", "", text)
    text = re.sub(r"(?<=\d)[ \t]+(?=[%‰])", "", text)
    return text.strip()


# ---- hard-wrapped pastes -----------------------------------------------------------------

# 【答卷一】, 〔路径一〕, [答卷一], and the bracketless ■答卷一：/答卷一 (a word, its numeral, a mark).
MARKER = re.compile(r"^(?:[【〔\[]([^】〕\]]{1,8}?)([一二三四五六七八九十]+)[】〕\]]"
                    r"|[■◆●▲★◎]?\s*([\u3400-\u9fff]{2,4}?)([一二三四五六七八九十]+)(?:[：:|｜·]|\s+))")
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、](?!\d))")
PART = re.compile(r"^(?:19|20)\d\d\s*年?\s*[，,：:]")
# A line ending in one of these leads into the text that follows (…交出了一份亮眼的成绩单——):
# a year line so ended is the part's first paragraph, and a heading so ended loses the mark.
LEADS_ON = ("—", "－", "-", "–", "…", "：", ":")
DANGLING = "—－-–~～…：:，,、；; \u3000"


# A line ending in a colon is a title (工业经济量质齐升：) unless it only introduces what follows:
# 主要做法如下： 具体措施包括： …有以下几点： 目标是： — or is a sentence (two clauses or more).
INTRODUCES = re.compile(r"(?:如下|以下|下列|如次|包括|包含|主要有|有以下[^：:]*|以下[^：:]*|几点|方面|"
                        r"[为是有])$")


def introduces(text: str) -> bool:
    """A line ending in a colon that only leads into the text after it, not a title: its words
    before the colon end as an introduction does (如下, 包括, …为/是/有), or read as a sentence
    (a clause break before the colon, or longer than a title's 20 characters)."""
    s = text.strip()
    if not s.endswith(("：", ":")):
        return False
    stem = s.rstrip("：: \u3000")
    return bool(INTRODUCES.search(stem)) or len(stem) > 20 or bool(re.search(r"[。；！？]", stem)) or (
        "，" in stem and len(stem) > 14)


def exclaims(text: str) -> bool:
    """A slogan or a question (项目为王，实干为先！ 如何破局？): a line that ends as an
    exclamation or a question is never a title."""
    return text.strip().rstrip("”’」』)）").endswith(("！", "？", "!", "?"))


def heading_title(text: str) -> str:
    """A title without the mark that only led into the text after it (经济运行回升向好——)."""
    return text.rstrip(DANGLING)


def part_line(line: str, widest: float = float("inf")) -> bool:
    """A part's title line (2023，稳中求进谱新篇): a short year line that ends as a title does,
    and, among hard-wrapped lines, is narrower than the widest of them (a line as wide as the
    others is a paragraph's first line, broken where the paste broke it: 2024年，面对…坚持稳中求)."""
    s = line.strip()
    return (bool(PART.match(s)) and len(s) <= 40 and columns(s) < widest - 1 and not s.rstrip("。").count("。")
            and not s.endswith(("。", "；", "，") + LEADS_ON))


def _headingish(line: str, widest: float = float("inf")) -> bool:
    s = line.strip()
    if MARKER.match(s):
        return True
    if HEADING.match(s) and len(s) <= 40 and not s.rstrip("。").count("。"):
        return not s.endswith(("。", "；", "，"))
    return part_line(s, widest)


def frontish(line: str) -> bool:
    """A byline, a subtitle (——写在…), a photo credit or a pasted table row: never a title."""
    s = line.strip()
    return s.startswith(("—", "－", "--")) or "■" in s or s.endswith("摄") or s.startswith("|")


def _indented(line: str) -> bool:
    return line.startswith(("\u3000", "  ", "\t"))


def columns(line: str) -> float:
    """A line's width as shown where it was copied: an ASCII digit, letter or mark is half a
    Chinese character (2024年，面对…坚持稳中求 is 30 characters and 28 columns)."""
    s = line.strip()
    return len(s) - sum(1 for c in s if "!" <= c < "\x7f") / 2


def _wrap_width(lines: list[str]) -> float:
    """The width a hard-wrapped block was broken at, or infinity for one paragraph a line."""
    body = [len(s.strip()) for s in lines[:-1]]
    if len(body) < 2:
        return float("inf")
    for w in sorted(set(body), reverse=True):
        if sum(1 for n in body if abs(n - w) <= 1) >= max(2, len(body) // 2):
            return w
    return float("inf")


def paragraphs(text: str) -> list[tuple[str, int, int]]:
    """Raw text → (paragraph, blank lines before, blank lines after), hard wraps joined.

    A line break ends a paragraph when the next line is indented, a heading or a byline, or
    when the line ends a sentence short of the block's wrap width; otherwise the lines are one
    paragraph broken by a paste (e-paper, WeChat) and are joined without a space.
    """
    blocks: list[tuple[list[str], int]] = []
    blank = 0
    current: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line.rstrip())
            continue
        if current:
            blocks.append((current, blank))
            current, blank = [], 0
        blank += 1
    if current:
        blocks.append((current, blank))
    out: list[list] = []
    for n, (lines, before) in enumerate(blocks):
        after = blocks[n + 1][1] if n + 1 < len(blocks) else 99
        width = _wrap_width(lines)
        widest = max(columns(x) for x in lines) if len(lines) > 1 else float("inf")
        para = [lines[0].strip()]
        starts = [before]
        for prev, line in zip(lines, lines[1:]):
            p, s = prev.strip(), line.strip()
            new = (_indented(line) or _headingish(s, widest) or _headingish(p, widest) or frontish(s)
                   or ((p.endswith(TERMINAL) or frontish(p)) and len(p) < width - 1))
            if new:
                out.append([" ".join(para) if para[0].startswith("|") else "".join(para), starts[-1], 0])
                para, starts = [s], [0]
            else:
                para.append(s)
        out.append(["".join(para), starts[-1], after])
    return [(p, b, a) for p, b, a in out]


# ---- counting numerals -----------------------------------------------------------------

MEASURE = "个项家条座所名件次场处批支台辆间张本篇部户套栋人亩倍"
NUMERAL = re.compile(rf"(?<!第)([零一二两三四五六七八九十百千万亿]+)(?=(?:余|多)?(?:公里|[{MEASURE}]))")


def _numeral_value(word: str) -> tuple[int, str] | None:
    import cn2an

    tail = ""
    if len(word) > 1 and word[-1] in "万亿":
        word, tail = word[:-1], word[-1]
    try:
        value = cn2an.cn2an(word.replace("两", "二"), "normal")
    except (ValueError, KeyError, IndexError):
        return None
    if isinstance(value, float) and value != int(value):
        return None
    return int(value), tail


def numerals(text: str) -> str:
    """两个 → 2个, 三项 → 3项, 十二万人 → 12万人; 一 (一批, 一个) and names (三大行动, 十大,
    四城区, 三年行动, 第十一届) stay words: only a numeral of 2 or more before a measure word counts."""
    def swap(m: re.Match) -> str:
        found = _numeral_value(m.group(1))
        if found is None or found[0] < 2:
            return m.group(0)
        return f"{found[0]}{found[1]}"

    return NUMERAL.sub(swap, text)
