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


def _with_cause(record: logging.LogRecord, message: str) -> str:
    """Add the exception that is being handled: Pelican logs 'Could not process <file>'
    from inside its except block without the reason unless DEBUG is on."""
    if record.exc_info or record.levelno < logging.ERROR:
        return message
    exc = sys.exc_info()[1]
    if exc is None or str(exc) in message:
        return message
    reason = str(exc)
    match = _NOT_A_DATE.match(reason)
    if match:
        reason = (
            f"date = {match['value']}: expected a date like 2026-11-23 or 2026-11-23 09:30 "
            "(fields date and modified)"
        )
    return f"{message}: {reason}"
