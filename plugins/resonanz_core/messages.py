"""Log lines people can act on: the reason beside the file, one line per problem when the
output is not a terminal (CI), and a strict failure without a traceback."""

from __future__ import annotations

import logging
import sys

from .problems import StrictModeError, explain


class SkippedFileMessage(logging.Filter):
    """Pelican logs 'Could not process <file>' without the reason (unless DEBUG is on):
    put the reason on the same line, in every build."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != "Could not process %s" or not record.args:
            return True
        exc = sys.exc_info()[1]
        if exc is None:
            return True
        record.msg = "resonanz_core: %s: %s; the file is left out"
        record.args = (str(record.args[0]), explain(exc))
        record.resonanz_explained = True
        if not logging.getLogger("pelican").isEnabledFor(logging.DEBUG):
            record.exc_info = None
        return True


EXAMPLES = {"title": "Title: Mein Beitrag", "date": "Date: 2026-11-23 09:30"}


def _relative(content) -> str:
    relative = getattr(content, "get_relative_source_path", None)
    return relative() if callable(relative) else str(content)


class InvalidContentMessage(logging.Filter):
    """Pelican's messages about a file it leaves out, in the project's one-line format
    (they name the file by its absolute path and say no fix)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg == "Skipping %s: could not find information about '%s'" and len(args) == 2:
            content, field = args
            example = EXAMPLES.get(field, f"{field.title()}: ...")
            record.msg = ("resonanz_core: %s: %s = None: missing; add a line '%s'; the file "
                          "is left out")
            record.args = (_relative(content), field, example)
        elif record.msg.startswith("Skipping %s: file %r would be written outside") and len(
                args) == 2:
            content, save_as = args
            record.msg = ("resonanz_core: %s: save_as = %r: outside the output folder; remove "
                          "the field; the file is left out")
            record.args = (_relative(content), save_as)
        elif record.msg.startswith("Unknown status '%s' for file %s") and len(args) == 3:
            status, content, allowed = args
            record.msg = ("resonanz_core: %s: status = %r: expected one of %s; the file is "
                          "left out")
            record.args = (_relative(content), status, ", ".join(allowed))
        return True


class OneLine(logging.Filter):
    """Pelican lists the files of a warning on lines of their own ('There are 2 items
    with slug ...'): in CI every line must carry its problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "\n%s" in record.msg:
            record.msg = record.msg.replace(": \n%s", ": %s").replace("\n%s", ", %s")
        return True


class MissingStampMessage(logging.Filter):
    """Pelican's cache warns 'Cannot get modification stamp' for a {static} link to a file
    that is not there; checks.report_links already names the post and the link, so in strict
    mode the same mistake would count twice, once with the machine's absolute path."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (
            isinstance(record.msg, str)
            and record.msg.startswith("Cannot get modification stamp for %s")
            and len(args) == 2
            and isinstance(args[1], FileNotFoundError)
        )


class StrictFailureMessage(logging.Filter):
    """Pelican's command logs the exception that ended a build with its traceback; the
    strict mode's list of problems is the whole story."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        if isinstance(exc_info, tuple) and isinstance(exc_info[1], StrictModeError):
            record.exc_info = None
            record.msg, record.args = "%s", (str(exc_info[1]),)
        return True


SKIPPED_FILE = SkippedFileMessage()
INVALID_CONTENT = InvalidContentMessage()
ONE_LINE = OneLine()
MISSING_STAMP = MissingStampMessage()
STRICT_FAILURE = StrictFailureMessage()


def _plain_lines() -> None:
    """Rich wraps every message at 80 columns when the output is a pipe (CI logs split
    file names): there, one plain line per message."""
    try:
        from rich.logging import RichHandler
    except ImportError:  # Pelican without rich: plain lines already
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, RichHandler) and not handler.console.is_terminal:
            plain = logging.StreamHandler(handler.console.file)
            plain.setLevel(handler.level)
            plain.setFormatter(logging.Formatter("%(levelname)-8s %(message)s"))
            for log_filter in handler.filters:
                plain.addFilter(log_filter)
            root.removeHandler(handler)
            root.addHandler(plain)


def install() -> None:
    """Once per build (idempotent)."""
    for name, log_filter in (("pelican.generators", SKIPPED_FILE), ("pelican", STRICT_FAILURE),
                             ("pelican.contents", INVALID_CONTENT), ("pelican.utils", ONE_LINE),
                             ("pelican.cache", MISSING_STAMP)):
        logger = logging.getLogger(name)
        if log_filter not in logger.filters:
            logger.addFilter(log_filter)
    _plain_lines()
