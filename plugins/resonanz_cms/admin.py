"""Write /admin/: the page, config.yml, the content model for the page's script, and the
Decap CMS bundle copied from tools/cms/node_modules (no CDN)."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
from pathlib import Path

import brotli
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from resonanz_core.fields import CONTENT_TYPES

from .config import COLLECTIONS, content_security_policy

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
# The bundle's lazily loaded chunks and WebAssembly sit next to decap-cms.js and are
# fetched relative to it; source maps and the second copy (cms.js) are left out.
BUNDLE_GLOBS = ("decap-cms.js", "*.decap-cms.js", "*.wasm", "decap-cms.js.LICENSE.txt")
# Bundle files this big get cached precompressed copies (see precompressed()).
LARGE = 1_000_000


class BundleMissing(RuntimeError):
    """tools/cms/node_modules has no Decap CMS (npm ci was not run)."""


def bundle_files(node_modules: Path) -> list[Path]:
    """The files of Decap's prebuilt bundle, or BundleMissing."""
    dist = node_modules / "decap-cms" / "dist"
    if not (dist / "decap-cms.js").is_file():
        raise BundleMissing(str(dist / "decap-cms.js"))
    return sorted({path for pattern in BUNDLE_GLOBS for path in dist.glob(pattern)})


def yaml_module_dir(node_modules: Path) -> Path:
    """The browser build of the `yaml` package (ES modules), read by resonanz-cms.js."""
    folder = node_modules / "yaml" / "browser" / "dist"
    if not (folder / "index.js").is_file():
        raise BundleMissing(str(folder / "index.js"))
    return folder


def copy_if_changed(source: Path, target: Path) -> None:
    """Copy with the timestamp, skipped when size and mtime already match (5 MB bundle)."""
    if target.is_file():
        old, new = target.stat(), source.stat()
        if old.st_size == new.st_size and old.st_mtime_ns == new.st_mtime_ns:
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def precompressed(source: Path, target: Path, cache: Path, formats: list[str]) -> None:
    """Put `.br`/`.gz` copies of a large bundle file next to its copy, made once per bundle
    version and kept in the cache: pelican-precompress leaves existing copies alone, and
    brotli at quality 11 takes about 30 s for Decap's 5 MB on these machines, every publish
    (a fresh output folder) otherwise."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:32]
    for extension in formats:
        stored = cache / f"{source.name}.{digest}{extension}"
        if not stored.is_file():
            data = source.read_bytes()
            if extension == ".br":
                packed = brotli.compress(data, quality=11)
            else:
                packed = gzip.compress(data, compresslevel=9, mtime=0)
            cache.mkdir(parents=True, exist_ok=True)
            temporary = stored.with_suffix(".tmp")
            temporary.write_bytes(packed)
            temporary.replace(stored)
        copy_if_changed(stored, target.with_name(target.name + extension))


def model_for_script(preview_stylesheets: list[str], slug_substitutions: list) -> dict:
    """What resonanz-cms.js needs to know of the content model: list fields and their
    separators in Pelican's one-line form, number fields, rules between fields."""
    lists: dict[str, str | None] = {}
    pairs: list[tuple[str, ...]] = []
    numbers: set[str] = set()
    for _name, content_type, *_ in COLLECTIONS:
        fields = CONTENT_TYPES[content_type]
        for f in fields:
            if f.kind == "list":
                lists[f.name] = f.separator
            elif f.kind == "number":
                numbers.add(f.name)
            if f.with_field:
                labels = {g.name: g.label for g in fields}
                pairs.append((f.name, f.with_field, labels[f.name], labels[f.with_field]))
    # only plain letter substitutions (ä -> ae); the regular expressions are Python's
    letters = [[a, b] for a, b in slug_substitutions if len(a) == 1 and a.isalpha()]
    return {
        "lists": lists,
        "numbers": sorted(numbers),
        "pairs": sorted({tuple(p) for p in pairs}),
        "previewStyles": preview_stylesheets,
        "slugLetters": letters,
    }


def render_page(title: str, csp: str) -> str:
    env = Environment(
        loader=FileSystemLoader(str(STATIC)), autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )
    return env.get_template("index.html").render(title=title, csp=csp)


def copy_bundle(target: Path, node_modules: Path,
                compressed: tuple[Path, list[str]] | None = None) -> None:
    """Decap's bundle, the yaml module and resonanz-cms.js into target: what /admin/ needs
    whatever the content (a cold build copies 172 files; the reading worker does it ahead,
    plugin.py, and write_admin then finds them copied)."""
    bundle = bundle_files(node_modules)
    yaml_dir = yaml_module_dir(node_modules)
    target.mkdir(parents=True, exist_ok=True)
    for source in bundle:
        copy_if_changed(source, target / source.name)
        if compressed and source.stat().st_size > LARGE:
            precompressed(source, target / source.name, *compressed)
    for source in sorted(p for p in yaml_dir.rglob("*.js")):
        copy_if_changed(source, target / "yaml" / source.relative_to(yaml_dir))
    copy_if_changed(STATIC / "resonanz-cms.js", target / "resonanz-cms.js")


def write_admin(
    target: Path, node_modules: Path, config: dict, options: dict, model: dict, title: str,
    compressed: tuple[Path, list[str]] | None = None,
) -> list[Path]:
    """Everything under output/admin/; returns the files written or refreshed.

    compressed: (cache folder, [".br", ".gz"]) when the build precompresses its output.
    """
    copy_bundle(target, node_modules, compressed)
    texts = {
        "index.html": render_page(title, content_security_policy(options, in_page=True)),
        "config.yml": "# Written by the build (plugins/resonanz_cms) from the content model in\n"
        "# plugins/resonanz_core/fields.py: edit the fields there, not here.\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=100),
        "resonanz-model.js": "// Written by the build (plugins/resonanz_cms): the content model"
        " for resonanz-cms.js.\nwindow.CMS_MANUAL_INIT = true;\nwindow.RESONANZ_CMS = "
        + json.dumps(model, ensure_ascii=False, sort_keys=True, indent=1) + ";\n",
    }
    written = []
    for name, text in texts.items():
        path = target / name
        if not (path.is_file() and path.read_text(encoding="utf-8") == text):
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
