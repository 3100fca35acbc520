"""Reading an export file: bytes, encoding and XML, forgiving where a careful reader can be.

Exports from the wild are rarely clean: UTF-8 with stray Windows-1252 bytes, UTF-8 that was
once read as Windows-1252 and saved again ("â€™"), namespace prefixes nobody declared,
control characters, HTML entities in XML. What can be recovered is recovered and said in a
note; what cannot gets an error that names the next step that works.
"""

from __future__ import annotations

import codecs
import html.entities
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import ftfy
import lxml.etree

from .model import ImportInputError

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
# XML 1.0 forbids these characters even as references; old WordPress exports contain them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PREFIX_USE = re.compile(r"</?([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*|\s([A-Za-z_][\w.-]*):[\w.-]+\s*=")
_PREFIX_DECLARED = re.compile(r"\sxmlns:([A-Za-z_][\w.-]*)\s*=")
_ROOT_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_WXR_VERSION = re.compile(r"<wp:wxr_version>\s*(1\.[0-9])\s*</wp:wxr_version>")
XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})

# Prefixes that WordPress, Blogger and Atom exports use, with the namespace each stands for
# ({wxr}: the export's WXR version, 1.0 to 1.2).
WELL_KNOWN = {
    "wp": "http://wordpress.org/export/{wxr}/",
    "excerpt": "http://wordpress.org/export/{wxr}/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "app": "http://purl.org/atom/app#",
    "thr": "http://purl.org/syndication/thread/1.0",
    "gd": "http://schemas.google.com/g/2005",
    "georss": "http://www.georss.org/georss",
    "openSearch": "http://a9.com/-/spec/opensearchrss/1.0/",
    "blogger": "http://schemas.google.com/blogger/2018",
    "media": "http://search.yahoo.com/mrss/",
}
# Only encoding repairs: ftfy's other fixes (quotes, widths, HTML entities) would change
# what the author wrote.
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False, remove_terminal_escapes=False, fix_latin_ligatures=False,
    fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False,
    remove_control_chars=False, normalization=None, explain=False,
)
_ESCAPED = re.compile("[\udc80-\udcff]")
_WINDOWS_1252 = frozenset({"cp1252", "windows-1252"})


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportInputError(f"{path}: file not found; check the path") from None
    except OSError as error:
        raise ImportInputError(f"{path}: cannot read: {error.strerror or error}; check that it "
                               "is a file you may read (ls -l)") from None
    if not data.strip():
        raise ImportInputError(f"{path}: the file is empty; export again")
    return data


def _position(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _mixed(data: bytes, primary: str) -> tuple[str, int, str]:
    """data decoded as primary; each byte primary cannot read is read as Windows-1252.

    Returns the text, the number of such bytes and where the first one is. Bytes
    Windows-1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d) become the Latin-1 control
    character of the same number, so that ftfy can still put "â€\\x9d" back together.
    """
    text = data.decode(primary, errors="surrogateescape")
    first = _ESCAPED.search(text)
    if first is None:
        return text, 0, ""
    line = text.count("\n", 0, first.start()) + 1
    column = first.start() - (text.rfind("\n", 0, first.start()) + 1) + 1
    byte = bytes([ord(first.group(0)) - 0xDC00])
    where = (f"first at line {line}, column {column} (byte {byte.hex()}, "
             f"{byte.decode('cp1252', errors='replace')!r})")
    count = 0

    def windows_1252(match: re.Match) -> str:
        nonlocal count
        count += 1
        raw = bytes([ord(match.group(0)) - 0xDC00])
        return raw.decode("cp1252", errors="ignore") or raw.decode("latin-1")

    return _ESCAPED.sub(windows_1252, text), count, where


def decode(path: Path, data: bytes, encoding: str, declared_by: str,
           notes: list[str] | None = None) -> str:
    """The text of data: mixed UTF-8/Windows-1252 read byte by byte, mojibake repaired.

    notes gets one line for every repair, so the report says what was changed.
    """
    notes = notes if notes is not None else []
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ImportInputError(
            f"{path}: encoding = {encoding!r} ({declared_by}): unknown encoding; leave out "
            "--encoding (the import reads UTF-8 and Windows-1252 itself) or name one such as "
            "windows-1252 or iso-8859-15"
        ) from None
    if name == "utf-8" or name in _WINDOWS_1252 or name == "iso8859-1":
        # Latin-1 reads every byte, but in exports the bytes 0x80-0x9f are Windows-1252.
        text, bad, where = _mixed(data, "utf-8" if name == "utf-8" else "cp1252")
        if bad and name == "utf-8":
            notes.append(
                f"encoding: {bad} byte{'s' if bad > 1 else ''} not valid UTF-8 "
                f"({declared_by}), {where}: read as Windows-1252"
            )
    else:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as error:
            raise ImportInputError(
                f"{path}: {_position(data, error.start)}: byte "
                f"{data[error.start:error.start + 1].hex()} is not valid {encoding} "
                f"({declared_by}); leave out --encoding (the import reads UTF-8 and "
                "Windows-1252 itself), or convert the file: iconv -f <its encoding> -t utf-8"
            ) from None
    return _repair_mojibake(text, notes)


def _repair_mojibake(text: str, notes: list[str]) -> str:
    repaired_lines = 0
    example = ""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        # ASCII lines cannot be mojibake; skipping them keeps large exports fast.
        if line.isascii():
            continue
        fixed = ftfy.fix_text(line, _FTFY)
        if fixed != line:
            example = example or _first_change(line, fixed)
            repaired_lines += 1
            lines[index] = fixed
    if repaired_lines:
        notes.append(
            f"encoding: UTF-8 text that had been read as Windows-1252 repaired in "
            f"{repaired_lines} line{'s' if repaired_lines > 1 else ''} (e.g. {example}); "
            "check these entries"
        )
        return "\n".join(lines)
    return text


def _first_change(old: str, new: str) -> str:
    """"'â€™' -> '’'": the first repaired spot, as the report shows it."""
    start = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), 0)
    return f"{old[start:start + 3]!r} -> {new[start:start + 1]!r}"


def _declare_prefixes(text: str) -> tuple[str, list[str]]:
    """text with every used but undeclared namespace prefix declared on the root element."""
    root = _ROOT_TAG.search(text)
    if root is None:
        return text, []
    end = text.find(">", root.end())
    declared = set(_PREFIX_DECLARED.findall(text[root.start():end]))
    used = {a or b for a, b in _PREFIX_USE.findall(text)} - {"xml", "xmlns"}
    missing = sorted(used - declared)
    if not missing:
        return text, []
    version = _WXR_VERSION.search(text)
    wxr = version.group(1) if version else "1.2"
    attributes = "".join(
        f' xmlns:{p}="{WELL_KNOWN.get(p, "urn:x-resonanz:undeclared:" + p).format(wxr=wxr)}"'
        for p in missing
    )
    known = [p + ":" for p in missing if p in WELL_KNOWN]
    unknown = [p + ":" for p in missing if p not in WELL_KNOWN]
    notes = []
    for group, how in ((known, "read with their usual namespaces, as forgiving readers do"),
                       (unknown, "unknown, their elements were read by name")):
        if group:
            many = len(group) > 1
            notes.append(f"XML: prefix{'es' if many else ''} {', '.join(group)} "
                         f"{'were' if many else 'was'} not declared; {how}")
    return text[:root.end()] + attributes + text[root.end():], notes


def _numeric_entities(text: str) -> tuple[str, int]:
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        name = match.group(1)
        if name in XML_ENTITIES or name + ";" not in html.entities.html5:
            return match.group(0)
        count += 1
        return "".join(f"&#{ord(c)};" for c in html.entities.html5[name + ";"])

    return _ENTITY.sub(replace, text), count


def _parse_error(path: Path, text: str, error: ET.ParseError) -> tuple[int, int, str, bool]:
    line, column = error.position
    reason = str(error).split(":", 1)[0]
    # where the error is: a file that was cut off fails at its very end
    offset = sum(len(part) + 1 for part in text.split("\n", line - 1)[:line - 1]) + column
    truncated = (reason in ("no element found", "unclosed token")
                 or offset >= len(text.rstrip()) - 1)
    return line, column, reason, truncated


def parse_xml(path: Path, text: str, notes: list[str]) -> ET.Element:
    """The root element; well-known defects repaired and noted, the rest read forgivingly."""
    # The declaration no longer matches the decoded text; keep line numbers as they were.
    text = _DECLARATION_TEXT.sub("", text, count=1)
    forbidden = len(_FORBIDDEN.findall(text))
    if forbidden:
        text = _FORBIDDEN.sub("", text)
        notes.append(f"XML: {forbidden} control character{'s' if forbidden > 1 else ''} "
                     "that XML does not allow removed")
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        first = _parse_error(path, text, error)
    if "unbound prefix" in first[2]:
        text, found = _declare_prefixes(text)
        notes.extend(found)
    if "undefined entity" in first[2] or "unbound prefix" in first[2]:
        text, count = _numeric_entities(text)
        if count:
            notes.append(f"XML: {count} HTML entit{'ies' if count > 1 else 'y'} (&nbsp; ...) "
                         "read as the characters they stand for")
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        line, column, reason, truncated = _parse_error(path, text, error)
    if truncated:
        raise ImportInputError(
            f"{path}: line {line}, column {column}: {reason}: the file ends in the middle of "
            "the XML: the export is probably truncated (export again, check the file size)."
        )
    parser = lxml.etree.XMLParser(recover=True, huge_tree=True, resolve_entities=False,
                                  no_network=True)
    recovered = lxml.etree.fromstring(text.encode("utf-8"), parser)
    if recovered is None:
        raise ImportInputError(
            f"{path}: line {line}, column {column}: {reason}: the XML is broken here and "
            "nothing could be read; open the file at this line, repair the markup (or export "
            "again), then import again."
        )
    notes.append(
        f"XML: line {line}, column {column}: {reason}: read with a forgiving XML reader from "
        "there on; check the entries around this line (some text may be missing)"
    )
    return ET.fromstring(lxml.etree.tostring(recovered, encoding="unicode"))


def read_xml(path: Path, encoding: str | None = None,
             notes: list[str] | None = None) -> ET.Element:
    """The root element of an XML export; notes gets a line for everything repaired."""
    notes = notes if notes is not None else []
    data = read_bytes(path)
    match = _DECLARATION.match(data.removeprefix(codecs.BOM_UTF8))
    declared = match.group(1).decode("ascii") if match else "utf-8"
    if encoding:
        text = decode(path, data, encoding, "given with --encoding", notes)
    else:
        text = decode(path, data, declared, f"declared as encoding={declared!r}"
                      if match else "XML without a declaration is UTF-8", notes)
    return parse_xml(path, text, notes)


def local(tag: str) -> str:
    """'{namespace}name' -> 'name'."""
    return tag.rsplit("}", 1)[-1]


def child_text(element: ET.Element, name: str, default: str = "") -> str:
    """Text of the first child whose local name is name (any namespace)."""
    for child in element:
        if local(child.tag) == name:
            return (child.text or "").strip() if name != "encoded" else (child.text or "")
    return default
