"""The import part of `make bench`: synthetic old-blog exports, imported as a user would."""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = ("Kundendialog Community Marke Beschwerde Antwort Forum Service Vertrauen Regeln "
         "Moderation Zuhören Köln Grüße Straße Überblick Ähnlich").split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def wordpress_export(entries: int, comments: int = 4, seed: int = 11) -> str:
    """A WXR 1.0 export as WordPress.com wrote them in 2008 (excerpt: left undeclared)."""
    rng = random.Random(seed)
    items = []
    for number in range(1, entries + 1):
        kind = "page" if number % 15 == 0 else "post"
        title = f"{_text(rng, 4)} {number}"
        slug = f"eintrag-{number}"
        day = f"2008-{1 + number % 12:02d}-{1 + number % 28:02d}"
        poem = "<br />".join(_text(rng, 5) for _ in range(8))
        body = (f"{_text(rng, 60)}\n\n<strong>{_text(rng, 3)}</strong> {_text(rng, 40)}\n\n"
                f"<ul><li>{_text(rng, 6)}</li><li>{_text(rng, 6)}</li></ul>\n\n"
                f"<pre>{poem}</pre>\n\n<blockquote>{_text(rng, 20)}</blockquote>")
        replies = []
        for index in range(comments):
            ident = number * 100 + index
            parent = ident - 1 if index % 2 else 0
            replies.append(
                f"<wp:comment><wp:comment_id>{ident}</wp:comment_id>"
                f"<wp:comment_author><![CDATA[{_text(rng, 2)}]]></wp:comment_author>"
                f"<wp:comment_author_url>https://leser{index}.example/</wp:comment_author_url>"
                f"<wp:comment_date>{day} 13:0{index}:00</wp:comment_date>"
                f"<wp:comment_date_gmt>{day} 11:0{index}:00</wp:comment_date_gmt>"
                f"<wp:comment_content><![CDATA[{_text(rng, 25)}\n\n{_text(rng, 10)}]]>"
                f"</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
                f"<wp:comment_type></wp:comment_type>"
                f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>")
        items.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://alt.example/{day.replace('-', '/')}/{slug}/</link>"
            f"<dc:creator>anna</dc:creator>"
            f'<category domain="category" nicename="thema"><![CDATA[Thema]]></category>'
            f'<category domain="tag"><![CDATA[{rng.choice(WORDS)}]]></category>'
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
            f"<wp:post_id>{number}</wp:post_id><wp:post_date>{day} 12:00:00</wp:post_date>"
            f"<wp:post_date_gmt>{day} 10:00:00</wp:post_date_gmt>"
            f"<wp:comment_status>open</wp:comment_status><wp:ping_status>open</wp:ping_status>"
            f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status>"
            f"<wp:post_type>{kind}</wp:post_type>{''.join(replies)}</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.0/">\n<channel><title>Altes Blog</title>'
        "<link>https://alt.example</link><wp:wxr_version>1.0</wp:wxr_version>"
        "<wp:base_blog_url>https://alt.example</wp:base_blog_url>\n"
        + "\n".join(items) + "\n</channel></rss>\n"
    )


def movabletype_export(entries: int, comments: int = 4, seed: int = 12) -> bytes:
    """A Movable Type export in UTF-8 with stray Windows-1252 bytes and no BASENAME lines."""
    rng = random.Random(seed)
    blocks = []
    for number in range(1, entries + 1):
        month, day = 1 + number % 12, 1 + number % 28
        parts = [
            f"AUTHOR: Mara\nTITLE: {_text(rng, 4)} {number}\nSTATUS: Publish\n"
            f"ALLOW COMMENTS: 1\nCONVERT BREAKS: 1\nCATEGORY: Thema\n"
            f"DATE: {month:02d}/{day:02d}/2007 10:{number % 60:02d}:00 AM\n-----\n"
            f"BODY:\n{_text(rng, 60)}\n\n{_text(rng, 40)}\n-----\n".encode(),
        ]
        for index in range(comments):
            parts.append(
                f"COMMENT:\nAUTHOR: {_text(rng, 2)}\nURL: https://leser{index}.example/\n"
                f"DATE: {month:02d}/{day:02d}/2007 11:0{index}:00 AM\n".encode()
                + _text(rng, 20).encode() + b" \x93zitiert\x94 \xfcbrigens\n-----\n")
        parts.append(b"--------\n")
        blocks.append(b"".join(parts))
    return b"".join(blocks)


def time_import(work: Path, source: str, export: Path, *extra: str) -> tuple[float, float]:
    """Wall and CPU seconds of `python -m resonanz import`, interpreter start included."""
    content = work / f"content-{source}"
    content.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "resonanz", "import", "--from", source, str(export),
         "--content", str(content), *extra],
        check=True, stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_import(work: Path, entries: int) -> list[dict]:
    """One row per export kind: entries, responses, first import and re-import in seconds."""
    work.mkdir(parents=True, exist_ok=True)
    wxr = work / "wordpress.xml"
    wxr.write_text(wordpress_export(entries), encoding="utf-8")
    mt = work / "movabletype.txt"
    mt.write_bytes(movabletype_export(entries))
    rows = []
    for source, export, extra in (("wordpress", wxr, ()),
                                  ("movabletype", mt, ("--old-base-url", "https://mt.example/"))):
        (first, first_cpu), (again, again_cpu) = (time_import(work, source, export, *extra)
                                                  for _ in range(2))
        rows.append({"export": source, "entries": entries, "responses": entries * 4,
                     "bytes": export.stat().st_size, "first": first, "first_cpu": first_cpu,
                     "again": again, "again_cpu": again_cpu})
    return rows


def import_table(rows: list[dict]) -> str:
    lines = ["| export | entries | responses | size MiB | import s (CPU s) | "
             "re-import s (CPU s) |", "|" + "---|" * 6]
    for r in rows:
        lines.append(f"| {r['export']} | {r['entries']} | {r['responses']} | "
                     f"{r['bytes'] / 2**20:.1f} | {r['first']:.1f} ({r['first_cpu']:.1f}) | "
                     f"{r['again']:.1f} ({r['again_cpu']:.1f}) |")
    return "\n".join(lines)
