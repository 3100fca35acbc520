"""Collects every content warning and error of one build, for strict mode and tests."""

from __future__ import annotations

import logging
import re
import sys

# Loggers whose warnings are about the machine, not the content (never fail strict mode).
IGNORED_LOGGERS = ("asyncio", "urllib3", "PIL", "watchfiles", "markdown")


class StrictModeError(Exception):
    """Raised at the end of a strict build: the message lists every problem."""

    exitcode = 1


class ProblemCollector(logging.Handler):
    """A logging handler that remembers WARNING and ERROR records, each once."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.problems: list[str] = []
        self._seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(IGNORED_LOGGERS):
            return
        try:
            message = record.getMessage()
        except Exception:  # a broken log call must not hide the problem itself
            message = str(record.msg)
        message = " ".join(part.strip() for part in message.splitlines() if part.strip())
        message = _with_cause(record, message)
        line = f"{record.levelname}: {message}"
        if line not in self._seen:
            self._seen.add(line)
            self.problems.append(line)

    def add_lines(self, lines: list[str]) -> None:
        """Problems a worker process collected (see parallel.py), each once."""
        for line in lines:
            if line not in self._seen:
                self._seen.add(line)
                self.problems.append(line)

    def take(self) -> list[str]:
        """Return the problems so far and start afresh (autoreload runs build again)."""
        problems, self.problems, self._seen = self.problems, [], set()
        return problems


def strict_report(problems: list[str]) -> str:
    lines = [f"Strict mode: {len(problems)} problem(s) in content, build failed:"]
    lines += [f"  {n}. {p}" for n, p in enumerate(problems, 1)]
    return "\n".join(lines)


_NOT_A_DATE = re.compile(r"^(?P<value>'.*') is not a valid date$")


def explain(exc: BaseException) -> str:
    """One line about why a file could not be processed (the reason Pelican leaves out)."""
    field = getattr(exc, "field", None)  # inputs.ContentProblem
    if field is not None:
        return str(exc)
    text = str(exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    match = _NOT_A_DATE.match(reason)
    if match:
        return (f"date = {match['value']}: expected a date like 2026-11-23 09:30 or "
                "23.11.2026 09:30 (fields date and modified)")
    if isinstance(exc, UnicodeDecodeError):
        return "encoding = not UTF-8: save the file as UTF-8"
    return f"file = {type(exc).__name__}: {reason}: the file could not be processed"


def _with_cause(record: logging.LogRecord, message: str) -> str:
    """Add the exception that is being handled to an error logged without its reason."""
    if record.exc_info or record.levelno < logging.ERROR:
        return message
    if getattr(record, "resonanz_explained", False):
        return message
    exc = sys.exc_info()[1]
    if exc is None or str(exc) in message:
        return message
    known = getattr(exc, "field", None) is not None or _NOT_A_DATE.match(str(exc))
    return f"{message}: {explain(exc) if known else exc}"
