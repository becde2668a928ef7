"""The exceptions briefing raises on purpose.

Every failure a user can cause or meet ends in one of these, so the command line can print a
message and choose an exit code instead of showing a traceback.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# C0 controls but tab and newline, DEL, C1 controls (0x9B is a CSI on some terminals), and the
# bidirectional overrides that reorder what a terminal shows (the "Trojan Source" characters).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_AND_NEWLINES = re.compile(_CONTROLS.pattern[:-1] + "\n]")


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return {9: "\\t", 10: "\\n", 13: "\\r"}.get(c) or (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}")


def printable(text: str, newlines: bool = True) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\u202e``), so that
    nothing a data file, a file name or a PDF holds can move the cursor, ring, recolour or
    reorder the user's terminal. ``newlines=False`` escapes line breaks too (one-line messages)."""
    return (_CONTROLS if newlines else _CONTROLS_AND_NEWLINES).sub(_escape, text)


def named_char(ch: str) -> str:
    """A character as a message shows it: “字”（U+5B57）, or by code point and Unicode name alone
    when it is invisible (a space, a control or format character, a combining mark) and quoting
    it would show nothing, or join it to the quote mark."""
    if ch.isprintable() and not ch.isspace() and unicodedata.category(ch) not in ("Mn", "Me", "Cf"):
        return f"“{ch}”（U+{ord(ch):04X}）"
    name = unicodedata.name(ch, "") or {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}.get(ch, "CONTROL")
    return f"U+{ord(ch):04X}（{name}）"


def clip(text: str, limit: int = 60) -> str:
    """A long value shortened for a message: its start, then how much was left out."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字）"


class BriefingError(Exception):
    """Base class: a message meant for the person running the tool."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, located as precisely as the YAML allows."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return printable(f"{where}{field} {self.message}", newlines=False)


class DataError(BriefingError):
    """The data file cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class FontError(BriefingError):
    """A font file is missing or unusable."""


class LayoutFailed(BriefingError):
    """The data cannot be laid out (an item larger than a page)."""


class OutputError(BriefingError):
    """The booklet cannot be written where it was asked to go."""


class InputError(BriefingError):
    """A file given to read is missing, unreadable, not a regular file, or over its size limit."""


class SettingError(BriefingError):
    """A setting from the environment or the command line cannot be used (SOURCE_DATE_EPOCH=abc)."""


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived: raised where the process stands, so that every ``finally``
    removes what it made, then the process exits 128 + the signal number (a ``SystemExit``:
    no traceback, and a pool worker leaves quietly)."""


class VerificationError(BriefingError):
    """The written PDF failed one or more checks; it is not delivered."""

    exit_code = 1

    def __init__(self, failures: list[str]):
        self.failures = list(failures)
        super().__init__("\n".join(self.failures))
