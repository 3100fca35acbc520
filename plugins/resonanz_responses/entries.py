"""Which entries carry responses and which file holds them: posts, case studies, pages, episodes.

Posts and case studies (Pelican articles) keep their file `responses/<slug>.yaml`; pages and
episodes get a folder of their own, so a page and a post with the same slug never share one
file. The file's path below the responses folder, without `.yaml`, is the entry's *key*: it
names the per-entry comments feed, the TrackBack URL and the widget's page id.
"""

from __future__ import annotations

from pathlib import Path

# kind of entry -> folder below RESPONSES_PATH ("" = the folder itself)
FOLDERS = {"article": "", "page": "pages", "episode": "episodes"}
NAMES = {"article": "a post or case study", "page": "a page", "episode": "an episode"}


def response_key(kind: str, slug: str) -> str:
    """'article', 'x' -> 'x'; 'page', 'x' -> 'pages/x'; 'episode', 'x' -> 'episodes/x'."""
    folder = FOLDERS[kind]
    return f"{folder}/{slug}" if folder else slug


def response_files(folder: Path) -> list[tuple[str, str, Path]]:
    """(kind, key, path) of every responses file below folder, in a stable order."""
    found: list[tuple[str, str, Path]] = []
    for kind, sub in FOLDERS.items():
        base = folder / sub if sub else folder
        if not base.is_dir():
            continue
        for path in sorted(base.iterdir()):
            if path.is_file() and path.suffix in (".yaml", ".yml"):
                found.append((kind, response_key(kind, path.stem), path))
    return found


def page_state(slug: str, value: str, closed_pages: list[str], default: str) -> str:
    """The comment state a page asks for: its own `comments`, closed for legal pages."""
    if value:
        return value
    return "closed" if slug in closed_pages else default
