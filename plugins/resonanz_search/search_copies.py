"""Search copies: what Pagefind reads of a page, cut out of it, so that it parses a third
of the bytes; and when a copy may be used (Pagefind options that select elements of the
whole page rule it out)."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

SEARCH_BODY = b"data-pagefind-body"
# Pagefind options and configuration files that select elements of the whole page: with
# any of them, Pagefind is given whole pages instead of search copies.
WHOLE_PAGE_ARGS = ("--root-selector", "--exclude-selectors")
CONFIG_FILES = ("pagefind.yml", "pagefind.yaml", "pagefind.toml", "pagefind.json")


def copies_allowed(extra_args: list[str], folder: Path | None = None) -> bool:
    """Whether search copies index like whole pages with these Pagefind arguments and
    the configuration files Pagefind would read (from the working folder)."""
    if any(arg.split("=")[0] in WHOLE_PAGE_ARGS for arg in extra_args):
        return False
    folder = folder or Path.cwd()
    return not any((folder / name).exists() for name in CONFIG_FILES)


_BODY_TAG = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*\sdata-pagefind-body\b[^>]*>")
# read by Pagefind anywhere on the page
_READ_ANYWHERE = re.compile(rb"data-pagefind-(?:body|filter|meta|sort|default-meta)\b")
# before the element: also an ancestor that ignores it, an <h1> taken as the title
_READ_BEFORE = re.compile(rb"data-pagefind-(?:body|filter|meta|sort|default-meta|ignore)\b|"
                          rb"<h1[\s>]", re.IGNORECASE)
_HEADING = re.compile(rb"<h1[\s>]", re.IGNORECASE)
_IMAGE = re.compile(rb"<img[\s>]", re.IGNORECASE)
# inside the element: text that could hide an end tag from the tag count
_UNCOUNTED = re.compile(rb"<!--|<script\b[^>]*>\s*[^<\s]|<style[\s>]|<template[\s>]|"
                        rb"<!\[CDATA\[", re.IGNORECASE)
_HTML_TAG = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(rb"<title\b[^>]*>.*?</title>", re.IGNORECASE | re.DOTALL)


def search_copy(data: bytes) -> bytes:
    """What Pagefind reads of a page: <html> (its lang), the title and the element with
    data-pagefind-body. Pagefind's work grows with the bytes it parses, and header,
    navigation and footer are two thirds of a post's page.

    The whole page is returned when the copy could index differently: something Pagefind
    reads outside the element (a filter, meta, sort or a second body anywhere; before
    it an ignore on an ancestor or an <h1> it would take as the title; after it an <h1>
    or <img> when the element has none), the element is <html> or <body>, or it holds
    comments, inline scripts or styles, templates or CDATA (an end tag there would end
    the copy early), or its end is not found."""
    start = _BODY_TAG.search(data)
    if start is None or start.group(1).lower() in (b"html", b"body"):
        return data
    tags = re.compile(rb"<(/?)" + re.escape(start.group(1)) + rb"[\s>/]", re.IGNORECASE)
    depth = 0
    for tag in tags.finditer(data, start.start()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = data.find(b">", tag.end() - 1) + 1
            break
    else:
        return data
    if end <= 0:
        return data
    element = data[start.start():end]
    if (_READ_BEFORE.search(data, 0, start.start()) or _READ_ANYWHERE.search(data, end)
            or _UNCOUNTED.search(element)
            or (not _HEADING.search(element) and _HEADING.search(data, end))
            or (not _IMAGE.search(element) and _IMAGE.search(data, end))):
        return data
    html = _HTML_TAG.search(data)
    title = _TITLE.search(data)
    return b"".join([
        b"<!DOCTYPE html>", html.group(0) if html else b"<html>",
        b'<head><meta charset="utf-8">', title.group(0) if title else b"",
        b"</head><body>", element, b"</body></html>",
    ])


def stage_one(data: bytes, target: str, copy: bool = True) -> None:
    """Write the search copy of a page (its bytes; the whole page unless copy) into the
    staging folder, all or nothing (a full disk leaves no cut-off page behind)."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = f"{target}.{os.getpid()}.part"
    try:
        with open(partial, "wb") as handle:
            handle.write(search_copy(data) if copy else data)
        os.replace(partial, target)
    except OSError:
        for path in (partial, target):
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise
