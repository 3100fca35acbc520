"""Which page templates a changed theme template reaches: the pages rendered from the
others may be replayed (outputs.py).

While a page renders, Jinja loads its parent and partials by name: `{% extends %}`,
`{% include %}`, `{% import %}`, `{% from %}`, and the theme's `render_once("…")`
helper. In this theme these names are constants, so the templates a page template can
load are known from the sources alone; a page template reaches a changed template when
that one is among them, directly or through others. A template that names another by an
expression, or does not parse, makes the answer unknown: every page is rendered.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from jinja2 import meta

_RENDER_ONCE = re.compile(r"""render_once\(\s*["']([^"']+)["']""")


def references(env: jinja2.Environment, source: str, name: str) -> set[str] | None:
    """The template names a template loads by name; None when one is an expression."""
    found: set[str] = set()
    for reference in meta.find_referenced_templates(env.parse(source, name)):
        if reference is None:
            return None
        found.add(reference)
    found.update(_RENDER_ONCE.findall(source))
    return found


def reaching(folder: Path, changed: set[str], extensions=()) -> set[str] | None:
    """The names of the templates under `folder` (relative, "/"-separated) whose
    rendering may load one of `changed` (themselves included); None when that cannot be
    known."""
    env = jinja2.Environment(extensions=list(extensions))
    graph: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.html")):
        name = path.relative_to(folder).as_posix()
        try:
            found = references(env, path.read_text(encoding="utf-8"), name)
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            return None
        if found is None:
            return None
        graph[name] = found
    reached = set(changed)
    frontier = set(changed)
    while frontier:
        frontier = {name for name, loads in graph.items()
                    if loads & frontier and name not in reached}
        reached |= frontier
    return reached
