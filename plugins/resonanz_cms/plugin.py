"""Pelican glue of resonanz_cms: after the generators, write /admin/ into the output."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from pathlib import Path

from pelican import signals
from resonanz_fastbuild import hooks

from . import admin, config
from .settings import DEFAULTS, NPM_DIR

logger = logging.getLogger(__name__)


def options(settings: dict) -> dict:
    """The plugin's settings: defaults overridden by CMS_* keys."""
    return {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("CMS_")}}


def node_modules(opts: dict) -> Path:
    return Path(opts["CMS_NODE_MODULES"]) if opts["CMS_NODE_MODULES"] else NPM_DIR / "node_modules"


def post_categories(generators) -> list[str]:
    """Categories that posts use (case studies have their own), sorted for German readers."""
    names = set()
    for generator in generators:
        for article in getattr(generator, "articles", None) or []:
            category = getattr(article, "category", None)
            if category is not None and getattr(article, "case_study", None) is None:
                names.add(str(category))
    return sorted(names, key=str.casefold)


def preview_stylesheets(settings: dict, opts: dict) -> list[str]:
    """The theme's stylesheets as URLs relative to /admin/."""
    names = opts["CMS_PREVIEW_STYLESHEETS"] or settings.get("RESONANZ_STYLESHEETS") or []
    theme = (settings.get("THEME_STATIC_DIR") or "theme").strip("/")
    depth = "../" * len(Path(opts["CMS_PATH"].strip("/")).parts)
    return [f"{depth}{theme}/css/{name}" for name in names]


def admin_headers(settings: dict) -> dict[str, dict[str, str]]:
    """The response headers of /admin/ for `_headers` and nginx (embeds writes them)."""
    opts = options(settings)
    if not opts["CMS_ENABLED"]:
        return {}
    return {
        opts["CMS_PATH"].strip("/"): {
            "Content-Security-Policy": config.content_security_policy(opts),
            "X-Frame-Options": "DENY",
            "X-Robots-Tag": "noindex, nofollow",
            "Cache-Control": "no-cache",
        }
    }


def compression(settings: dict) -> tuple[Path, list[str]] | None:
    """Where cached precompressed bundle copies live and which formats the build makes."""
    if "pelican.plugins.precompress" not in settings.get("PLUGINS", []):
        return None
    formats = [".br"] if settings.get("PRECOMPRESS_BROTLI") else []
    if settings.get("PRECOMPRESS_GZIP") and not settings.get("PRECOMPRESS_ZOPFLI"):
        formats.append(".gz")
    cache = Path(settings.get("CACHE_PATH") or ".cache").resolve() / "resonanz_cms"
    return (cache, formats) if formats else None


def _admin_target(output_path: str, opts: dict) -> Path:
    return Path(output_path) / opts["CMS_PATH"].strip("/")


def copy_ahead(generator) -> None:
    """hooks.read_ahead, in the first reading worker: the bundle, which needs no post."""
    opts = options(generator.settings)
    if opts["CMS_ENABLED"]:
        admin.copy_bundle(_admin_target(generator.output_path, opts),
                          node_modules(opts), compression(generator.settings))


# the copies are in the output: write_admin finds them there (same size and time)
hooks.read_ahead(copy_ahead)


def on_all_generators_finalized(generators) -> None:
    if not generators:
        return
    settings = generators[0].settings
    opts = options(settings)
    if not opts["CMS_ENABLED"]:
        return
    modules = node_modules(opts)
    target = _admin_target(generators[0].output_path, opts)
    cms = config.cms_config(opts, post_categories(generators), dt.date.today().year)
    model = admin.model_for_script(
        preview_stylesheets(settings, opts), settings.get("SLUG_REGEX_SUBSTITUTIONS") or []
    )
    # written while the listings render (hooks.alongside)
    hooks.alongside(functools.partial(_write, target, modules, cms, opts, model,
                                      settings.get("SITENAME", ""), compression(settings)))


def _write(target: Path, modules: Path, cms: dict, opts: dict, model: dict, title: str,
           compressed: tuple[Path, list[str]] | None) -> None:
    try:
        admin.write_admin(target, modules, cms, opts, model, title, compressed)
    except admin.BundleMissing as missing:
        logger.warning(
            "resonanz_cms: %s = %r: Decap CMS is not installed, /%s/ skipped; run "
            "`npm ci --prefix %s` (make html does it when node is installed)",
            "CMS_NODE_MODULES", os.path.relpath(str(missing)), opts["CMS_PATH"].strip("/"),
            os.path.relpath(modules.parent),
        )


def register() -> None:
    signals.all_generators_finalized.connect(on_all_generators_finalized)
