"""What verification found: a report that can be read (and unpickled from the finishing
worker, ``commands.finishjob``) without importing pypdf."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    path: str
    pages: int = 0
    size: int = 0
    checks: list[Check] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # with the data: each chart as `verify --charts` lists it
    unreadable: str | None = None  # why the file could not be read at all, if it could not

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def failures(self) -> list[str]:
        return [f"{c.name}: {c.detail}" for c in self.checks if not c.ok]

    def add(self, name: str, problems: list[str], ok_detail: str = "") -> None:
        shown = "; ".join(problems[:8]) + (f" (+{len(problems) - 8} more)" if len(problems) > 8 else "")
        self.checks.append(Check(name, not problems, shown if problems else ok_detail))
