"""The exceptions briefing raises on purpose.

Every failure a user can cause or meet ends in one of these, so the command line can print a
message and choose an exit code instead of showing a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        return f"{where}{field} {self.message}"


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


class VerificationError(BriefingError):
    """The written PDF failed one or more checks; it is not delivered."""

    exit_code = 1

    def __init__(self, failures: list[str]):
        self.failures = list(failures)
        super().__init__("\n".join(self.failures))
