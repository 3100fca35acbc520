"""Reading an export file: bytes, encoding and XML, with messages that say what to do."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .model import ImportInputError

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportInputError(f"{path}: file not found") from None
    except OSError as error:
        raise ImportInputError(f"{path}: cannot read: {error.strerror or error}") from None
    if not data.strip():
        raise ImportInputError(f"{path}: the file is empty; export again")
    return data


def decode(path: Path, data: bytes, encoding: str, declared_by: str) -> str:
    """The text of data, or an error that shows the first byte that is not `encoding`."""
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ImportInputError(f"{path}: encoding = {encoding!r}: unknown encoding") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        bad = data[error.start:error.start + 2]
        guess = bad[:1].decode("cp1252", errors="replace")
        raise ImportInputError(
            f"{path}: line {line}, column {column}: byte {bad[:1].hex(' ')} is not valid "
            f"{encoding} ({declared_by}); it looks like Latin-1/Windows-1252 ({guess!r}). "
            f"Convert the file (iconv -f windows-1252 -t utf-8) or pass --encoding "
            f"windows-1252."
        ) from None
    return text.removeprefix("\ufeff")


def read_xml(path: Path, encoding: str | None = None) -> ET.Element:
    """The root element of an XML export; ImportInputError names line and column of a defect."""
    data = read_bytes(path)
    match = _DECLARATION.match(data)
    declared = match.group(1).decode("ascii") if match else "utf-8"
    if encoding:
        text = decode(path, data, encoding, "given with --encoding")
    else:
        text = decode(path, data, declared, f"declared as encoding={declared!r}"
                      if match else "XML without a declaration is UTF-8")
    # The declaration no longer matches the decoded text; keep line numbers as they were.
    text = _DECLARATION_TEXT.sub("", text, count=1)
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        line, column = error.position
        total = text.count("\n") + 1
        reason = str(error).split(":", 1)[0]
        hint = ("the file ends in the middle of the XML: the export is probably truncated "
                "(export again, check the file size)"
                if line >= total - 1 or "no element found" in reason
                else "the XML is broken here")
        raise ImportInputError(
            f"{path}: line {line}, column {column}: {reason}: {hint}."
        ) from None


def local(tag: str) -> str:
    """'{namespace}name' -> 'name'."""
    return tag.rsplit("}", 1)[-1]


def child_text(element: ET.Element, name: str, default: str = "") -> str:
    """Text of the first child whose local name is name (any namespace)."""
    for child in element:
        if local(child.tag) == name:
            return (child.text or "").strip() if name != "encoded" else (child.text or "")
    return default
