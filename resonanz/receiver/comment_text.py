"""A comment's text (a small Markdown subset) -> safe HTML: paragraphs, line breaks,
*em*, **strong**, `code`, [text](https://...), bare https:// links, > quotes.

Everything is escaped first, so markup a reader types stays visible text; the result
then goes through the same nh3 sanitiser as every response."""

from __future__ import annotations

import html
import re

from .verify import sanitise_html

LINK = re.compile(r"\[([^\]\n]{1,200})\]\((https?://[^\s()<>\"']{1,500})\)")
BARE_URL = re.compile(r"(?<![\"'=>])\b(https?://[^\s<>\"']{1,500}[^\s<>\"'.,;:!?)])")
CODE = re.compile(r"`([^`\n]{1,300})`")
STRONG = re.compile(r"\*\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*\*")
EMPHASIS = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*(?![*\w])")
URL_IN_TEXT = re.compile(r"https?://|www\.", re.IGNORECASE)


def count_links(text: str) -> int:
    return len(URL_IN_TEXT.findall(text))


def _inline(escaped: str) -> str:
    codes: list[str] = []

    def keep_code(match: re.Match) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = CODE.sub(keep_code, escaped)
    links: list[str] = []

    def keep_link(match: re.Match) -> str:
        label, url = match.group(1), match.group(2)
        links.append(f'<a href="{url}">{label}</a>')
        return f"\x01{len(links) - 1}\x01"

    text = LINK.sub(keep_link, text)
    text = BARE_URL.sub(lambda m: _bare(m, links), text)
    text = STRONG.sub(r"<strong>\1</strong>", text)
    text = EMPHASIS.sub(r"<em>\1</em>", text)
    text = re.sub(r"\x01(\d+)\x01", lambda m: links[int(m.group(1))], text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


def _bare(match: re.Match, links: list[str]) -> str:
    url = match.group(1)
    links.append(f'<a href="{url}">{url}</a>')
    return f"\x01{len(links) - 1}\x01"


def comment_html(text: str) -> str:
    """Safe HTML of a comment's text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    parts = []
    for block in blocks:
        lines = block.split("\n")
        quoted = all(line.lstrip().startswith(">") for line in lines)
        if quoted:
            lines = [line.lstrip()[1:].lstrip() for line in lines]
        body = "<br>\n".join(_inline(html.escape(line.strip(), quote=True)) for line in lines)
        parts.append(f"<blockquote><p>{body}</p></blockquote>" if quoted else f"<p>{body}</p>")
    return sanitise_html("\n".join(parts))
