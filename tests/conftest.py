"""Shared test helpers: real Pelican builds of the demo site or of tiny sites in tmp dirs."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import shutil
import sys
from pathlib import Path

import pytest

from resonanz.check.browser import CHROMIUM_ARGS  # noqa: F401  (one list for tests and checks)

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEST_SITEURL = "https://resonanz.example"
CHROMIUM = "/usr/bin/chromium"

sys.path.insert(0, str(ROOT / "plugins"))


# RESONANZ_FASTBUILD=0 (read by pelicanconf.py) builds without the fast-build plugin;
# tests of the plugin's own machinery are skipped then, every other test runs as usual.
FASTBUILD = os.environ.get("RESONANZ_FASTBUILD", "1") not in ("0", "false", "no")


def pytest_collection_modifyitems(config, items):
    if FASTBUILD:
        return
    skip = pytest.mark.skip(reason="RESONANZ_FASTBUILD=0: the fast-build plugin is off")
    for item in items:
        if item.get_closest_marker("fastbuild") is not None:
            item.add_marker(skip)


def plugins(fastbuild: bool) -> list[str]:
    """The demo's PLUGINS with or without the fast-build plugin."""
    from pelican.settings import read_settings

    names = [p for p in read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"]
             if p != "resonanz_fastbuild"]
    return [*names, "resonanz_fastbuild"] if fastbuild else names


@pytest.fixture(autouse=True)
def _fresh_log_dedup():
    """Pelican drops a warning it has seen before in this process; each test starts clean."""
    from pelican.log import LimitFilter

    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    yield


@dataclasses.dataclass
class BuildResult:
    output: Path
    problems: list[str]
    error: BaseException | None
    settings: dict


def build_site(content: Path, output: Path, **overrides) -> BuildResult:
    """Run a real Pelican build with the project's pelicanconf.py plus overrides."""
    from pelican import Pelican
    from pelican.settings import read_settings

    output = Path(output)
    cache = output.parent / (output.name + "-cache")
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "THEME": str(ROOT / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "CACHE_PATH": str(cache / "pelican"),
            "PODCAST_CACHE_PATH": str(cache / "podcast"),
            "IMAGES_CACHE_PATH": str(cache / "images"),
            "SITEURL": TEST_SITEURL,
            "CANONICAL_SITEURL": TEST_SITEURL,
            "FEED_DOMAIN": TEST_SITEURL,
            "RELATIVE_URLS": True,
            "RESONANZ_STRICT": False,
            **overrides,
        },
    )
    error = None
    pelican = None
    try:
        pelican = Pelican(settings)
        pelican.run()
    except Exception as exc:  # the tests look at the error itself
        error = exc
    collector = getattr(pelican, "resonanz_collector", None)
    problems = list(getattr(pelican, "resonanz_problems", []))
    if collector is not None:
        logging.getLogger().removeHandler(collector)
        problems += collector.take()
    return BuildResult(output=output, problems=problems, error=error, settings=settings)


def tree_digest(path: Path) -> dict[str, str]:
    """sha256 of every file below path, to prove a build changed nothing."""
    digest = {}
    for file in sorted(path.rglob("*")):
        if file.is_file():
            digest[str(file.relative_to(path))] = hashlib.sha256(file.read_bytes()).hexdigest()
    return digest


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> BuildResult:
    """The bundled demo content, built once per test session."""
    before = tree_digest(CONTENT)
    result = build_site(CONTENT, tmp_path_factory.mktemp("demo") / "output")
    if result.error is not None:
        raise result.error
    assert tree_digest(CONTENT) == before, "the build changed files under content/"
    return result


@pytest.fixture
def tiny_content(tmp_path) -> Path:
    """An empty content/ folder with the demo's layout, for sites built inside a test."""
    content = tmp_path / "content"
    for folder in ("posts", "pages", "images", "episodes", "responses"):
        (content / folder).mkdir(parents=True)
    return content


def copy_demo_content(target: Path) -> Path:
    shutil.copytree(CONTENT, target)
    return target


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`), one per module."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
