"""A small HTML to Markdown converter for imported posts; keeps tables and embeds as HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
# Blocks that Markdown cannot express without losing structure: kept as HTML.
RAW_BLOCKS = frozenset(
    "table iframe embed object video audio figure dl form canvas svg math details".split()
)
DROPPED = frozenset("script style noscript template".split())
BLOCKS = (
    frozenset(
        "p div h1 h2 h3 h4 h5 h6 ul ol li blockquote pre hr section article aside header "
        "footer nav main address center figcaption dd dt fieldset thead tbody tfoot tr td th "
        "caption".split()
    )
    | RAW_BLOCKS
    | DROPPED
)
# Containers whose children are rendered as blocks, without a wrapper of their own.
TRANSPARENT_BLOCKS = frozenset(
    "div section article aside header footer nav main address center fieldset".split()
)
INLINE_KEPT = {
    "sup": "sup", "sub": "sub", "u": "u", "ins": "ins", "del": "del", "s": "del",
    "strike": "del", "mark": "mark", "small": "small", "q": "q", "cite": "cite",
    "kbd": "kbd", "var": "var",
}
URL_ATTRIBUTES = ("href", "src", "poster", "data")
# Attributes that only made sense on the old site (resized variants, editor state).
DROPPED_ATTRIBUTES = frozenset({"srcset", "sizes", "style", "onclick", "onload", "onerror"})

HARD_BREAK = "\x00br\x00"
# Inside <pre>, what a fenced code block shows the same: text, line breaks, code, plain spans.
_PRE_PLAIN = frozenset({"br", "code", "span", "tt", "kbd", "samp", "var"})
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_PARAGRAPH_SPLIT = re.compile(r"\n[ \t\r\f\v]*\n")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])(?=\s|$)")
_BARE_URL = re.compile(r"^\s*https?://[^\s<>]+\s*$")
_SETEXT_RULE = re.compile(r"^\s*([=\-*_])(\s*\1)*\s*$")

# Rewrites a URL found in href/src: (url, attribute) -> new url.
UrlRewriter = Callable[[str, str], str]


class Element:
    """A parsed HTML element; children are Elements or text strings."""

    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None, parent=None) -> None:
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[Element | str] = []
        self.parent = parent

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tags: set[str] | frozenset[str]):
        for child in self.children:
            if isinstance(child, Element):
                if child.tag in tags:
                    yield child
                yield from child.find_all(tags)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self.current = self.root

    def _open_tags(self) -> list[str]:
        tags, node = [], self.current
        while node is not self.root:
            tags.append(node.tag)
            node = node.parent
        return tags

    def _close(self, tag: str) -> None:
        node = self.current
        while node is not self.root:
            if node.tag == tag:
                self.current = node.parent
                return
            node = node.parent

    def handle_starttag(self, tag: str, attrs) -> None:
        open_tags = self._open_tags()
        # The implied end tags of HTML: a block closes an open <p>, an <li> the previous one.
        if tag in BLOCKS and tag not in ("li", "dd", "dt") and "p" in open_tags:
            if tag not in ("td", "th", "tr"):
                self._close("p")
        if tag == "li" and "li" in open_tags:
            nearest_list = next((t for t in open_tags if t in ("ul", "ol", "li")), None)
            if nearest_list == "li":
                self._close("li")
        if tag in ("td", "th") and self.current.tag in ("td", "th"):
            self._close(self.current.tag)
        if tag == "tr" and "tr" in open_tags and "table" in open_tags:
            if open_tags.index("tr") < open_tags.index("table"):
                self._close("tr")
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._close(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag in self._open_tags():
            self._close(tag)

    def handle_data(self, data: str) -> None:
        children = self.current.children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)

    def handle_comment(self, data: str) -> None:
        # <!--more-->, <!-- wp:paragraph --> and friends carry no content.
        return


def parse_html(source: str) -> Element:
    """A tolerant tree of the HTML fragment (unclosed tags are closed)."""
    builder = _TreeBuilder()
    builder.feed(source)
    builder.close()
    return builder.root


# --- paragraphs from line breaks (WordPress' wpautop, Movable Type's "convert breaks") ---

_AUTOP_CONTAINERS = (
    frozenset({"#root", "blockquote", "li", "dd", "figcaption"}) | TRANSPARENT_BLOCKS
)
_NO_AUTOP = frozenset({"pre", "code", "textarea"}) | DROPPED | RAW_BLOCKS


def _breaks(text: str) -> list[Element | str]:
    parts: list[Element | str] = []
    for index, line in enumerate(text.split("\n")):
        if index:
            parts.append(Element("br"))
        if line:
            parts.append(line)
    return parts


def _paragraphs(run: list[Element | str]) -> list[list[Element | str]]:
    paragraphs: list[list[Element | str]] = [[]]
    for item in run:
        if isinstance(item, str):
            pieces = _PARAGRAPH_SPLIT.split(item)
            paragraphs[-1].append(pieces[0])
            for piece in pieces[1:]:
                paragraphs.append([piece])
        else:
            paragraphs[-1].append(item)
    result = []
    for items in paragraphs:
        if items and isinstance(items[0], str):
            items[0] = items[0].lstrip()
        if items and isinstance(items[-1], str):
            items[-1] = items[-1].rstrip()
        items = [i for i in items if not (isinstance(i, str) and not i)]
        if any(not isinstance(i, str) or i.strip() for i in items):
            result.append(items)
    return result


def autop(root: Element) -> Element:
    """Turn blank lines into paragraphs and single newlines into <br>, like wpautop."""
    _autop(root)
    return root


def _autop(node: Element) -> None:
    if node.tag in _NO_AUTOP:
        return
    if node.tag == "p" or node.tag not in _AUTOP_CONTAINERS:
        for child in node.children:
            if isinstance(child, Element):
                _autop(child)
        if node.tag == "p" or node.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "td", "th"):
            node.children = _inline_breaks(node.children, node)
        return
    new_children: list[Element | str] = []
    run: list[Element | str] = []
    has_blocks = any(isinstance(c, Element) and c.tag in BLOCKS for c in node.children)

    def flush() -> None:
        paragraphs = _paragraphs(run)
        run.clear()
        if node.tag in ("li", "dd", "figcaption") and len(paragraphs) == 1 and not has_blocks:
            new_children.extend(_inline_breaks(paragraphs[0], node))
            return
        for items in paragraphs:
            paragraph = Element("p", parent=node)
            paragraph.children = _inline_breaks(items, paragraph)
            new_children.append(paragraph)

    for child in node.children:
        if isinstance(child, str) or child.tag not in BLOCKS:
            run.append(child)
            continue
        flush()
        _autop(child)
        new_children.append(child)
    flush()
    node.children = new_children


def _inline_breaks(items: list[Element | str], parent: Element) -> list[Element | str]:
    result: list[Element | str] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            text = item
            if index == 0:
                text = text.lstrip()
            if index == len(items) - 1:
                text = text.rstrip()
            result.extend(_breaks(text))
        else:
            item.parent = parent
            result.append(item)
    return result


# --- Markdown output -----------------------------------------------------------------


def escape_text(text: str) -> str:
    """Escape characters that Markdown would read as markup (inline text)."""
    text = text.replace("\\", "\\\\").replace("`", "\\`").replace("*", "\\*")
    text = text.replace("[", "\\[").replace("]", "\\]")
    # Underscores inside words are literal in Python-Markdown; only word edges need escaping.
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
    return text


def _escape_line_starts(block: str) -> str:
    lines = []
    for line in block.split("\n"):
        if _SETEXT_RULE.match(line):
            line = re.sub(r"([=\-*_])", r"\\\1", line, count=1)
        else:
            line = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), line)
        lines.append(line)
    return "\n".join(lines)


def _escape_marker(marker: str) -> str:
    if marker[-1] in ".)":
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def _code_span(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _link_target(url: str, title: str = "") -> str:
    url = url.strip()
    if not url or re.search(r"[\s()<>]", url):
        url = "<" + url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"
    if title:
        return f'{url} "{title.replace(chr(34), chr(92) + chr(34))}"'
    return url


def _wrap(marker: str, inner: str) -> str:
    # "** bold**" is not bold: move the spaces outside the markers.
    stripped = inner.strip()
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    return f"{lead}{marker}{stripped}{marker}{trail}"


@dataclass
class Conversion:
    """The Markdown of one body and what the converter had to change."""

    markdown: str
    notes: list[str] = field(default_factory=list)
    raw_blocks: list[str] = field(default_factory=list)  # tags kept as HTML


class _Renderer:
    def __init__(self, rewrite: UrlRewriter | None, heading_shift: int) -> None:
        self.rewrite = rewrite or (lambda url, attribute: url)
        self.heading_shift = heading_shift
        self.notes: list[str] = []
        self.raw: list[str] = []

    # blocks

    def blocks(self, node: Element) -> list[str]:
        out: list[str] = []
        run: list[Element | str] = []

        def flush() -> None:
            text = self.paragraph(run)
            run.clear()
            if text:
                out.append(text)

        for child in node.children:
            if isinstance(child, str) or child.tag not in BLOCKS:
                run.append(child)
                continue
            flush()
            out.extend(self.block(child))
        flush()
        return out

    def paragraph(self, items: list[Element | str]) -> str:
        if len(items) == 1 and isinstance(items[0], str) and _BARE_URL.match(items[0]):
            # A URL alone on its line (WordPress' oEmbed): a link the reader can follow.
            return f"<{items[0].strip()}>"
        text = "".join(self.inline(i) for i in items)
        text = _SPACES.sub(" ", text)
        text = re.sub(r" ?" + re.escape(HARD_BREAK) + " ?", HARD_BREAK, text).strip()
        while text.startswith(HARD_BREAK):
            text = text[len(HARD_BREAK):].lstrip()
        while text.endswith(HARD_BREAK):
            text = text[: -len(HARD_BREAK)].rstrip()
        if not text:
            return ""
        text = text.replace(HARD_BREAK, "  \n")
        return _escape_line_starts(text)

    def block(self, node: Element) -> list[str]:
        tag = node.tag
        if tag in DROPPED:
            source = node.attrs.get("src", "")
            self.notes.append(f"removed <{tag}{' src=' + source if source else ''}>")
            return []
        if tag in RAW_BLOCKS:
            self.raw.append(tag)
            return [self.serialize(node)]
        if tag == "p":
            # An embed inside a paragraph (WordPress' oEmbed) becomes a block of its own.
            return self.split_paragraph(node)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = min(6, int(tag[1]) + self.heading_shift)
            text = self.paragraph(node.children).replace("  \n", " ")
            text = re.sub(r"^\\(?=#)", "", text)
            return [f"{'#' * level} {text}"] if text else []
        if tag in ("ul", "ol", "blockquote") and _keeps_html(node):
            # Python-Markdown loses these inside lists and quotes: a code block becomes
            # inline code, a table lands in a <p>, a list's start number is dropped.
            self.raw.append(tag)
            return [self.serialize(node)]
        if tag in ("ul", "ol"):
            return [self.list_block(node)] if self.list_block(node) else []
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(node))
            if not inner:
                return []
            return ["\n".join(("> " + line) if line else ">" for line in inner.split("\n"))]
        if tag == "pre":
            return [self.code_block(node)]
        if tag == "hr":
            return ["* * *"]
        if tag in ("li", "dd", "dt", "figcaption", "caption", "td", "th", "tr", "thead",
                   "tbody", "tfoot"):
            # Stray table or list parts outside their parent: keep their text.
            return self.blocks(node)
        return self.blocks(node)  # div, section and other wrappers

    def split_paragraph(self, node: Element) -> list[str]:
        out: list[str] = []
        run: list[Element | str] = []
        for child in node.children:
            if isinstance(child, Element) and (child.tag in RAW_BLOCKS or child.tag in DROPPED):
                text = self.paragraph(run)
                run = []
                if text:
                    out.append(text)
                out.extend(self.block(child))
            else:
                run.append(child)
        text = self.paragraph(run)
        if text:
            out.append(text)
        return out

    def list_block(self, node: Element) -> str:
        ordered = node.tag == "ol"
        try:
            number = int(node.attrs.get("start", "1"))
        except ValueError:
            number = 1
        items: list[list[str]] = []
        for child in node.children:
            if isinstance(child, Element) and child.tag == "li":
                items.append(self.blocks(child))
            elif isinstance(child, Element) and child.tag in ("ul", "ol") and items:
                items[-1].append(self.list_block(child))
            elif isinstance(child, Element):
                items.append(self.blocks(child))
            elif child.strip():
                items.append([escape_text(child.strip())])
        loose = any(len([b for b in blocks if not _is_list(b)]) > 1 for blocks in items)
        rendered = []
        for blocks in items:
            marker = f"{number}. " if ordered else "- "
            number += 1
            if not blocks:
                rendered.append(marker.rstrip())
                continue
            joined = ""
            for index, block in enumerate(blocks):
                if index:
                    joined += "\n\n" if loose or not _is_list(block) else "\n"
                joined += block
            lines = joined.split("\n")
            text = marker + lines[0]
            for line in lines[1:]:
                text += "\n" + ("    " + line if line else "")
            rendered.append(text)
        return ("\n\n" if loose else "\n").join(rendered)

    def code_block(self, node: Element) -> str:
        if any(tag not in _PRE_PLAIN for tag in _tags_below(node)):
            # Bold, links or colour inside <pre>: a code block would lose them, HTML keeps them.
            self.raw.append("pre")
            return self.serialize(node)
        code = _pre_text(node)
        language = ""
        classes = node.attrs.get("class", "")
        for child in node.children:
            if isinstance(child, Element) and child.tag == "code":
                classes += " " + child.attrs.get("class", "")
        match = re.search(r"(?:language-|lang-|brush:\s*)([\w+#-]+)", classes)
        if match:
            language = match.group(1).lower()
        # HTML ignores one newline right after <pre>; trailing blank lines show nothing.
        code = code.removeprefix("\n").rstrip("\n")
        longest = max((len(m) for m in re.findall(r"^`{3,}", code, re.MULTILINE)), default=2)
        fence = "`" * (longest + 1)
        return f"{fence}{language}\n{code}\n{fence}"

    # inline

    def inline(self, item: Element | str) -> str:
        if isinstance(item, str):
            return escape_text(item)
        tag = item.tag
        if tag == "br":
            return HARD_BREAK
        if tag in DROPPED:
            self.block(item)
            return ""
        if tag in RAW_BLOCKS:
            self.raw.append(tag)
            return self.serialize(item)
        inner = "".join(self.inline(c) for c in item.children)
        if tag in ("strong", "b"):
            return _wrap("**", inner)
        if tag in ("em", "i"):
            return _wrap("*", inner)
        if tag in ("code", "tt"):
            return _code_span(item.text()) if item.text() else ""
        if tag == "a":
            return self.link(item, inner)
        if tag == "img":
            return self.image(item)
        if tag in INLINE_KEPT:
            name = INLINE_KEPT[tag]
            return f"<{name}>{inner}</{name}>" if inner.strip() else inner
        return inner  # span, font, abbr, ...: only their text matters

    def link(self, node: Element, inner: str) -> str:
        href = node.attrs.get("href", "").strip()
        if not href or href.startswith("javascript:"):
            return inner
        if not inner.strip():
            return ""
        url = self.rewrite(href, "href")
        plain = node.text().strip()
        if plain == href and re.match(r"^(https?|mailto):", href) and url == href:
            return f"<{href}>"
        return f"[{inner.strip()}]({_link_target(url, node.attrs.get('title', ''))})"

    def image(self, node: Element) -> str:
        source = node.attrs.get("src", "").strip()
        if not source:
            return ""
        alt = escape_text(_SPACES.sub(" ", node.attrs.get("alt", "")).strip())
        url = self.rewrite(source, "src")
        return f"![{alt}]({_link_target(url, node.attrs.get('title', ''))})"

    # raw HTML

    def serialize(self, node: Element | str, in_pre: bool = False) -> str:
        if isinstance(node, str):
            text = html.escape(node, quote=False)
            # A blank line would end the HTML block in Markdown.
            return text if in_pre else _PARAGRAPH_SPLIT.sub("\n", text)
        if node.tag in DROPPED:
            self.block(node)
            return ""
        parts = [f"<{node.tag}"]
        for name, value in node.attrs.items():
            if name in DROPPED_ATTRIBUTES or name.startswith("on"):
                continue
            if name in URL_ATTRIBUTES and value:
                # An iframe's page is a player, not a file of the old blog to copy.
                kind = "embed" if node.tag in ("iframe", "embed", "object") else name
                value = self.rewrite(value.strip(), kind)
            parts.append(f' {name}="{html.escape(value, quote=True)}"' if value or name not in (
                "allowfullscreen", "controls", "muted", "loop", "autoplay") else f" {name}")
        parts.append(">")
        if node.tag in VOID:
            return "".join(parts)
        pre = in_pre or node.tag == "pre"
        inner = "".join(self.serialize(c, pre) for c in node.children)
        return "".join(parts) + inner + f"</{node.tag}>"


def _keeps_html(node: Element) -> bool:
    """Whether a list or quote must stay HTML to look the same."""
    if node.tag == "ol" and (node.attrs.get("start", "1").strip() not in ("", "1")
                             or node.attrs.get("type", "1") != "1" or "reversed" in node.attrs):
        return True
    return any(tag == "pre" or tag in RAW_BLOCKS for tag in _tags_below(node))


def _tags_below(node: Element):
    for child in node.children:
        if isinstance(child, Element):
            yield child.tag
            yield from _tags_below(child)


def _pre_text(node: Element) -> str:
    """The text of a <pre> as a reader sees it: every <br> is a line break."""
    return "".join(
        c if isinstance(c, str) else "\n" if c.tag == "br" else _pre_text(c)
        for c in node.children
    )


def _is_list(block: str) -> bool:
    return bool(re.match(r"^(- |\d+\. )", block))


def heading_shift(root: Element) -> int:
    """How far headings move down so that a body never has its own <h1>."""
    levels = [int(e.tag[1]) for e in root.find_all(frozenset({"h1", "h2", "h3", "h4", "h5", "h6"}))]
    return max(0, 2 - min(levels)) if levels else 0


def html_to_markdown(
    source: str, *, paragraphs_from_newlines: bool = False, rewrite: UrlRewriter | None = None
) -> Conversion:
    """Markdown for an HTML fragment; tables, embeds and figures stay HTML blocks."""
    root = parse_html(source)
    if paragraphs_from_newlines:
        autop(root)
    renderer = _Renderer(rewrite, heading_shift(root))
    blocks = [b.rstrip() for b in renderer.blocks(root) if b.strip()]
    markdown = "\n\n".join(blocks)
    return Conversion(markdown=markdown + "\n" if markdown else "", notes=renderer.notes,
                      raw_blocks=renderer.raw)


def autop_html(source: str) -> str:
    """HTML with <p> and <br> for text that uses blank lines and newlines (comments)."""
    if not source.strip():
        return ""
    if not re.search(r"\n", source.strip()):
        return source.strip()
    root = autop(parse_html(source))
    renderer = _Renderer(None, 0)
    return "".join(renderer.serialize(child) for child in root.children).strip()
