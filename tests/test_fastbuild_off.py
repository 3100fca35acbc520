"""The fast-build plugin is a switch: the same site with it and without it.

These tests build with and without resonanz_fastbuild in PLUGINS (so they run whatever
RESONANZ_FASTBUILD says); the rest of the suite runs both ways in CI (site.yml).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from conftest import CONTENT, build_site, plugins, tree_digest

NOT_REPRODUCIBLE = "pagefind/"  # Pagefind's index files (upstream), see test_publish.py
RENDERED = re.compile(r"(\d+) pages and feeds rendered by (\d+) process\(es\)")


def comparable(output: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(output).items() if not k.startswith(NOT_REPRODUCIBLE)}


def test_the_demo_is_the_same_bytes_with_and_without_the_fast_build(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    fast = build_site(CONTENT, tmp_path / "fast" / "output", PLUGINS=plugins(True),
                      RESONANZ_JOBS=2)
    assert fast.error is None and fast.problems == []
    found = RENDERED.search(caplog.text)
    assert found and found[2] == "2", "the fast build must have used its workers"
    caplog.clear()
    plain = build_site(CONTENT, tmp_path / "plain" / "output", PLUGINS=plugins(False))
    assert plain.error is None and plain.problems == []
    assert "rendered by" not in caplog.text and "source files read by" not in caplog.text
    one, other = comparable(fast.output), comparable(plain.output)
    assert len(one) > 100 and "sitemap.xml" in one
    assert one.keys() == other.keys()
    assert [path for path in one if one[path] != other[path]] == []


def _posts(content: Path, count: int) -> None:
    for n in range(count):
        (content / "posts" / f"beitrag-{n:02d}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-{n % 28 + 1:02d} 10:00\nCategory: Test\n"
            f"Slug: beitrag-{n:02d}\n\nText {n}.\n", encoding="utf-8")


HEARD: list[str] = []


def listener(path, context) -> None:  # a plugin the fast build does not know
    HEARD.append(path)


def test_an_unknown_listener_for_written_files_is_named_and_hears_every_page(
        tiny_content, tmp_path, caplog):
    from pelican import signals

    _posts(tiny_content, 24)
    HEARD.clear()
    signals.content_written.connect(listener)
    try:
        with caplog.at_level(logging.INFO):
            # the CMS page is copied past Pelican's writer: no content_written for it
            result = build_site(tiny_content, tmp_path / "out", PLUGINS=plugins(True),
                                RESONANZ_JOBS=2, CMS_ENABLED=False)
    finally:
        signals.content_written.disconnect(listener)
    assert result.error is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
                and "resonanz_fastbuild" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "test_fastbuild_off.listener" in warnings[0] and "one process" in warnings[0]
    assert RENDERED.search(caplog.text)[2] == "1"
    pages = {str(p) for p in (tmp_path / "out").rglob("*.html")}
    assert pages <= set(HEARD) and len(pages) > 24


def test_an_unknown_pelican_version_leaves_pelicans_code_paths(tiny_content, tmp_path,
                                                                caplog, monkeypatch):
    import pelican.contents
    from resonanz_fastbuild import compat

    monkeypatch.setattr(compat, "KNOWN_VERSIONS", frozenset({"0.0.0"}))
    monkeypatch.setattr(compat, "_WARNED", [])
    _posts(tiny_content, 24)
    caplog.set_level(logging.INFO)
    for run in ("out", "again"):
        result = build_site(tiny_content, tmp_path / run, PLUGINS=plugins(True),
                            RESONANZ_JOBS=2)
        assert result.error is None
        assert (tmp_path / run / "sitemap.xml").is_file()
    warnings = [r.getMessage() for r in caplog.records
                if "is not among the versions" in r.getMessage()]
    assert len(warnings) == 1, "logged once per process"
    assert pelican.__version__ in warnings[0]
    # nothing of the fast build ran: no workers, no record of the build, Pelican's own
    # Content.url
    assert "rendered by" not in caplog.text and "nothing changed" not in caplog.text
    assert not list((tmp_path / "out-cache").rglob("resonanz-build-state.json"))
    assert pelican.contents.Content.url.fget.__module__ == "pelican.contents"
