"""Pelican glue of the embeds plugin: video placeholders in content, share links and embed
filters for templates, the player pages, oEmbed documents and the `_headers` file."""

from __future__ import annotations

import functools
import logging
import shutil
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator
from resonanz_fastbuild import hooks

from . import headers, nginx, player, share
from .settings import embeds_settings
from .strings import register_translations
from .videos import cache_dir, on_content_init

logger = logging.getLogger(__name__)

register_translations()

def _absolute_siteurl(settings: dict[str, Any]) -> str:
    return (settings.get("CANONICAL_SITEURL") or settings.get("SITEURL") or "").rstrip("/")


# ---------- templates


def _player_url(options: dict[str, Any], episode: Any) -> str:
    return options["EMBEDS_PLAYER_URL"].format(slug=episode.slug)


def _oembed_url(options: dict[str, Any], episode: Any) -> str:
    return options["EMBEDS_OEMBED_URL"].format(slug=episode.slug)


def _embed_code(settings: dict[str, Any], options: dict[str, Any], episode: Any) -> str:
    title = getattr(episode, "display_title", None) or episode.title
    return player.embed_code(
        f"{_absolute_siteurl(settings)}/{_player_url(options, episode)}",
        title,
        options["EMBEDS_PLAYER_WIDTH"],
        options["EMBEDS_PLAYER_HEIGHT"],
    )


def _share_links(options: dict[str, Any], title: str, url: str, mastodon_page: str) -> list:
    return share.share_links(options["EMBEDS_SHARE_SERVICES"], title, url, mastodon_page)


def on_initialized(pelican: Any) -> None:
    options = embeds_settings(pelican.settings)
    # Templates read EMBEDS_* from the context; fill in what pelicanconf.py leaves out.
    for key, value in options.items():
        pelican.settings[key] = value


def on_generator_init(generator: Any) -> None:
    env = getattr(generator, "env", None)
    if env is None:
        return
    options = embeds_settings(generator.settings)
    env.globals["embeds_share_links"] = functools.partial(_share_links, options)
    env.filters["embed_player_url"] = functools.partial(_player_url, options)
    env.filters["oembed_url"] = functools.partial(_oembed_url, options)
    env.filters["embed_code"] = functools.partial(_embed_code, generator.settings, options)


# ---------- output


def _put_text(target: Path, data: str) -> None:
    """A file in output with this text (left alone when it has it already)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not (target.is_file() and target.read_text(encoding="utf-8") == data):
        target.write_text(data, encoding="utf-8")
    # Pelican's own words for a written file (a LOG_FILTER for them covers these too)
    logger.info('Writing "%s"', target)


class EmbedsGenerator(Generator):
    """Writes the Mastodon share page, a player page and an oEmbed file per episode."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = embeds_settings(self.settings)

    def generate_context(self) -> None:
        # Episodes are read by the podcast generator; they are used in generate_output, when
        # every generator has filled the context whatever the order.
        return None

    def generate_output(self, writer: Any) -> None:
        relative = self.settings.get("RELATIVE_URLS", False)
        if (
            self.options["EMBEDS_MASTODON_SAVE_AS"]
            and "mastodon" in self.options["EMBEDS_SHARE_SERVICES"]
        ):
            writer.write_file(
                self.options["EMBEDS_MASTODON_SAVE_AS"],
                self.get_template("share_mastodon"),
                self.context,
                relative_urls=relative,
                url=self.options["EMBEDS_MASTODON_URL"],
                page_name="teilen-mastodon",
            )
        for episode in self.context.get("episodes") or []:
            slug = episode.slug
            writer.write_file(
                self.options["EMBEDS_PLAYER_SAVE_AS"].format(slug=slug),
                self.get_template("episode_embed"),
                self.context,
                relative_urls=relative,
                url=_player_url(self.options, episode),
                episode=episode,
                page_name=f"{slug}-embed",
            )
            self._write_oembed(episode)
        self._copy_fetched_previews()

    def _write_oembed(self, episode: Any) -> None:
        siteurl = _absolute_siteurl(self.settings)
        podcast = self.context.get("podcast")
        podcast = podcast if isinstance(podcast, dict) else {}
        artwork = getattr(episode, "artwork", None)
        thumbnail = None
        if artwork and getattr(artwork, "variants", None):
            width = min(artwork.variants)
            thumbnail = (f"{siteurl}/{artwork.variants[width]}", width, width)
        document = player.oembed_document(
            title=getattr(episode, "display_title", None) or episode.title,
            player_url=f"{siteurl}/{_player_url(self.options, episode)}",
            width=self.options["EMBEDS_PLAYER_WIDTH"],
            height=self.options["EMBEDS_PLAYER_HEIGHT"],
            provider_name=self.settings.get("SITENAME", ""),
            provider_url=f"{siteurl}/",
            author_name=podcast.get("title", "") if podcast else "",
            author_url=f"{siteurl}/{podcast.get('index_url', '')}" if podcast else "",
            thumbnail=thumbnail,
        )
        target = Path(self.output_path) / self.options["EMBEDS_OEMBED_SAVE_AS"].format(
            slug=episode.slug
        )
        hooks.made(target)  # a later build without the episode removes it
        # written while the listings render (hooks.alongside)
        hooks.alongside(functools.partial(_put_text, target, player.oembed_json(document)))

    def _copy_fetched_previews(self) -> None:
        if not self.options["EMBEDS_FETCH_PREVIEWS"]:
            return
        cache = cache_dir(self.settings, self.options)
        if not cache.is_dir():
            return
        target = Path(self.output_path) / self.options["EMBEDS_PREVIEW_PATH"].strip("/")
        for preview in sorted(cache.glob("*.jpg")):
            destination = target / preview.name
            if not destination.exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(preview, destination)


def get_generators(pelican: Any) -> type[EmbedsGenerator]:
    return EmbedsGenerator


def _podcast_feeds(settings: dict) -> dict:
    """PODCAST_FEEDS as the podcast plugin sees it (its default when the site sets none)."""
    if settings.get("PODCAST_FEEDS"):
        return settings["PODCAST_FEEDS"]
    try:
        from resonanz_podcast.settings import DEFAULTS as PODCAST_DEFAULTS
    except ImportError:  # a site without the podcast plugin
        return {}
    listed = "resonanz_podcast" in settings.get("PLUGINS", [])
    return PODCAST_DEFAULTS["PODCAST_FEEDS"] if listed else {}


def _own_policies(settings: dict) -> dict[str, dict[str, str]]:
    """Folders that bring their own headers (the CMS at /admin/): {folder: {name: value}}."""
    if "resonanz_cms" not in settings.get("PLUGINS", []):
        return {}
    from resonanz_cms.plugin import admin_headers

    return admin_headers(settings)


def on_finalized(pelican: Any) -> None:
    """Write `_headers` once everything else is in the output folder."""
    options = embeds_settings(pelican.settings)
    save_as = options["EMBEDS_HEADERS_SAVE_AS"]
    if not save_as:
        return
    output = Path(pelican.settings["OUTPUT_PATH"])
    if not output.is_dir():
        return
    policy = {name: list(sources) for name, sources in options["EMBEDS_CSP"].items()}
    media_url = pelican.settings.get("PODCAST_MEDIA_URL") or ""
    if media_url.startswith(("http:", "https:")):
        # Audio on another host (a CDN): the players must be allowed to load it.
        origin = "/".join(media_url.split("/", 3)[:3])
        policy.setdefault("media-src", ["'self'"]).append(origin)
    headers.allow_receiver(policy, pelican.settings.get("RESPONSES_RECEIVER_URL") or "")
    own = _own_policies(pelican.settings)
    # Folders written after this file (nginx.conf below, Pagefind's bundle) exist only when
    # the build ran into an old output: left out, a rebuild writes what a fresh build does.
    later = {(options["EMBEDS_NGINX_SAVE_AS"] or "").split("/", 1)[0],
             pelican.settings.get("SEARCH_BUNDLE_DIR") or "pagefind"}
    denied = headers.deny_paths(output, options["EMBEDS_PLAYER_URL"], [*own, *later])
    text = headers.headers_file(
        denied,
        options["EMBEDS_PLAYER_URL"],
        policy,
        options["EMBEDS_EXTRA_HEADERS"],
        options["EMBEDS_OEMBED_URL"],
    )
    text += headers.media_rules(
        list(_podcast_feeds(pelican.settings).values()),
        pelican.settings.get("PODCAST_MEDIA_PATH") or "podcast",
        pelican.settings.get("THEME_STATIC_DIR") or "theme",
    )
    text += headers.own_rules(own)
    count = headers.rule_count(text)
    if count > headers.CLOUDFLARE_RULE_LIMIT:
        logger.warning(
            "embeds: %s has %d rules; Cloudflare Pages reads only %d. Put the players in a "
            "folder of their own (EMBEDS_PLAYER_URL = 'player/{slug}/') to need fewer",
            save_as,
            count,
            headers.CLOUDFLARE_RULE_LIMIT,
        )
    target = output / save_as
    if not (target.is_file() and target.read_text(encoding="utf-8") == text):
        target.write_text(text, encoding="utf-8")
    nginx_as = options["EMBEDS_NGINX_SAVE_AS"]
    if nginx_as:
        snippet = nginx.nginx_snippet(
            headers.csp_value(policy, "'none'"),
            headers.csp_value(policy, "*"),
            options["EMBEDS_PLAYER_URL"],
            options["EMBEDS_OEMBED_URL"],
            options["EMBEDS_EXTRA_HEADERS"],
            own,
        )
        nginx_target = output / nginx_as
        nginx_target.parent.mkdir(parents=True, exist_ok=True)
        nginx_target.write_text(snippet, encoding="utf-8")


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.generator_init.connect(on_generator_init)
    signals.content_object_init.connect(on_content_init)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(on_finalized)
