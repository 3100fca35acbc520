"""Findings of the site checks and the text report: one line per finding, a summary table."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import TextIO

ERROR = "error"
WARNING = "warning"

# Warnings that repeat on many pages (a template issue) are shown once with a count.
COLLAPSE_AFTER = 3


@dataclasses.dataclass(frozen=True)
class Finding:
    """One problem: which check found it, where (file[:line]), in which element, and what."""

    check: str
    severity: str
    where: str
    element: str
    message: str

    def line(self) -> str:
        element = f" {self.element}:" if self.element else ""
        return f"{self.severity.upper()} [{self.check}] {self.where}:{element} {self.message}"


@dataclasses.dataclass
class CheckResult:
    """What one check did: how many things it looked at, what it found, or why it was skipped."""

    name: str
    checked: int = 0
    findings: list[Finding] = dataclasses.field(default_factory=list)
    skipped: str = ""
    note: str = ""
    details: list[str] = dataclasses.field(default_factory=list)  # figures under the summary

    def error(self, where: str, element: str, message: str) -> None:
        self.findings.append(Finding(self.name, ERROR, where, element, message))

    def warning(self, where: str, element: str, message: str) -> None:
        self.findings.append(Finding(self.name, WARNING, where, element, message))

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)


def describe(tag: str, **attributes: str | None) -> str:
    """A short source-like rendering of an element for messages: <a href="../x/">."""
    parts = [tag]
    for name, value in attributes.items():
        if value is not None:
            shown = value if len(value) <= 80 else value[:77] + "..."
            parts.append(f'{name.rstrip("_")}="{shown}"')
    return "<" + " ".join(parts) + ">"


def write_report(results: list[CheckResult], out: TextIO, show_warnings: bool = True) -> int:
    """Print every finding, then the summary table; return the number of errors."""
    for result in results:
        errors = [f for f in result.findings if f.severity == ERROR]
        for finding in sorted(errors, key=lambda f: f.where):
            print(finding.line(), file=out)
        if show_warnings:
            for line in _collapsed_warnings(result.findings):
                print(line, file=out)
    total_errors = sum(r.errors for r in results)
    total_warnings = sum(r.warnings for r in results)
    print("", file=out)
    header = f"{'check':<10} {'checked':>8} {'errors':>7} {'warnings':>9}  note"
    print(header, file=out)
    print("-" * len(header), file=out)
    for result in results:
        note = f"skipped: {result.skipped}" if result.skipped else result.note
        counts = f"{result.checked:>8} {result.errors:>7} {result.warnings:>9}"
        print(f"{result.name:<10} {counts}  {note}".rstrip(), file=out)
    print("-" * len(header), file=out)
    print(f"{'total':<10} {'':>8} {total_errors:>7} {total_warnings:>9}", file=out)
    for result in results:
        if result.details:
            print(f"\n{result.name}:", file=out)
            for line in result.details:
                print(f"  {line}", file=out)
    verdict = "FAILED" if total_errors else "OK"
    print(f"\ncheck {verdict}: {total_errors} error(s), {total_warnings} warning(s)", file=out)
    return total_errors


def _collapsed_warnings(findings: list[Finding]) -> list[str]:
    by_message: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.severity == WARNING:
            by_message[(finding.element, finding.message)].append(finding)
    lines = []
    for group in by_message.values():
        group.sort(key=lambda f: f.where)
        if len(group) <= COLLAPSE_AFTER:
            lines.extend(f.line() for f in group)
        else:
            first = group[0]
            lines.append(f"{first.line()} (and {len(group) - 1} more files)")
    return lines
