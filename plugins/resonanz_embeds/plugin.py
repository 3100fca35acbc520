"""Pelican glue of the embeds plugin: video placeholders in content, share links and embed
filters for templates, the player pages, oEmbed documents and the `_headers` file."""

from __future__ import annotations

import functools
import logging
import os
import posixpath
import shutil
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator
from resonanz_fastbuild.compat import raw_content, set_raw_content

from . import headers, nginx, player, share
from .previews import PreviewError, fetch_preview
from .settings import DEFAULTS
from .video import (
    Video,
    VideoLabels,
    VideoParagraph,
    parse_video_url,
    placeholder_html,
    replace_videos,
)

logger = logging.getLogger(__name__)

TRANSLATIONS = {
    "Video abspielen": "Play video",
    "Video auf {provider}": "Video on {provider}",
    "auf {provider} ansehen": "watch on {provider}",
    "Erst beim Abspielen wird das Video von {provider} geladen; dabei erhält {provider} "
    "Daten wie deine IP-Adresse.": "The video is loaded from {provider} only when you play "
    "it; {provider} then receives data such as your IP address.",
    "Datenschutz": "Privacy",
    "Teilen": "Share",
    "Diesen Beitrag teilen": "Share this post",
    "Per E-Mail versenden": "Send by e-mail",
    "Link kopieren": "Copy link",
    "Link kopiert": "Link copied",
    "Einbetten": "Embed",
    "Mit diesem Code bindest du den Player dieser Folge in deine Website ein:": (
        "Paste this code into your website to embed the player of this episode:"
    ),
    "HTML-Code zum Einbetten": "HTML code for embedding",
    "Code kopieren": "Copy code",
    "Code kopiert": "Code copied",
    "Player ansehen": "View the player",
    "Zur Folge auf": "Episode on",
    "Auf Mastodon teilen": "Share on Mastodon",
    "Deine Mastodon-Instanz": "Your Mastodon instance",
    "Weiter zu Mastodon": "Continue to Mastodon",
    "Dieser Text wird geteilt": "Text to share",
    "Deine Instanz erfährt erst davon, wenn du auf „Weiter zu Mastodon“ klickst.": (
        "Your instance learns about it only when you click “Continue to Mastodon”."
    ),
    "Diese Seite braucht JavaScript. Ohne JavaScript: Kopiere die Adresse des Beitrags "
    "und füge sie auf deiner Instanz in einen neuen Beitrag ein.": (
        "This page needs JavaScript. Without it, copy the address of the post and paste it "
        "into a new post on your instance."
    ),
    "Bitte gib eine Instanz wie mastodon.social ein.": (
        "Please enter an instance such as mastodon.social."
    ),
}


def _register_translations() -> None:
    try:
        import resonanz_core.i18n as core_i18n  # the lead's core plugin; optional
    except ImportError:
        return
    core_i18n.add_translations(TRANSLATIONS)


def _translate(text: str, lang: str | None) -> str:
    try:
        import resonanz_core.i18n as core_i18n
    except ImportError:
        return text
    return core_i18n.translate(text, lang)


_register_translations()


def embeds_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """DEFAULTS merged with the EMBEDS_* settings of this run, checked; bad values reset."""
    merged = {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("EMBEDS_")}}
    services = merged["EMBEDS_SHARE_SERVICES"]
    if not isinstance(services, list | tuple) or any(s not in share.SERVICES for s in services):
        logger.error(
            "embeds: pelicanconf.py: EMBEDS_SHARE_SERVICES = %r: expected a list of %s",
            services,
            ", ".join(share.SERVICES),
        )
        # Keep the valid part of a list: one typo should not remove every share link.
        valid = isinstance(services, list | tuple)
        merged["EMBEDS_SHARE_SERVICES"] = (
            [s for s in services if s in share.SERVICES]
            if valid
            else DEFAULTS["EMBEDS_SHARE_SERVICES"]
        )
    for key in ("EMBEDS_PLAYER_URL", "EMBEDS_PLAYER_SAVE_AS", "EMBEDS_OEMBED_SAVE_AS"):
        value = merged[key]
        first = str(value).strip("/").split("/", 1)[0]
        if not isinstance(value, str) or "{slug}" not in value or "{slug}" in first:
            logger.error(
                "embeds: pelicanconf.py: %s = %r: expected a path with {slug} below a fixed "
                "folder, e.g. %r",
                key,
                value,
                DEFAULTS[key],
            )
            merged[key] = DEFAULTS[key]
    for key in ("EMBEDS_PLAYER_WIDTH", "EMBEDS_PLAYER_HEIGHT"):
        if not isinstance(merged[key], int) or merged[key] < 100:
            logger.error(
                "embeds: pelicanconf.py: %s = %r: expected pixels >= 100", key, merged[key]
            )
            merged[key] = DEFAULTS[key]
    if not isinstance(merged["EMBEDS_CSP"], dict):
        logger.error(
            "embeds: pelicanconf.py: EMBEDS_CSP = %r: expected a dict directive -> sources",
            merged["EMBEDS_CSP"],
        )
        merged["EMBEDS_CSP"] = DEFAULTS["EMBEDS_CSP"]
    return merged


def _absolute_siteurl(settings: dict[str, Any]) -> str:
    return (settings.get("CANONICAL_SITEURL") or settings.get("SITEURL") or "").rstrip("/")


# ---------- videos in content


def _content_root(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).resolve()


def _cache_dir(settings: dict[str, Any], options: dict[str, Any]) -> Path:
    cache = Path(options["EMBEDS_CACHE_PATH"])
    return cache if cache.is_absolute() else _content_root(settings).parent / cache


def _site_link(content: Any, target: str) -> str:
    """URL of an output path as seen from this content's page (relative when the site is)."""
    settings = content.settings
    if settings.get("RELATIVE_URLS"):
        here = posixpath.dirname(content.url.rstrip("/") + "/x") if content.url else ""
        return posixpath.relpath(target, here or ".")
    return f"{settings.get('SITEURL', '').rstrip('/')}/{target}"


def _preview_src(content: Any, video: Video, options: dict[str, Any]) -> str:
    settings = content.settings
    folder = options["EMBEDS_PREVIEW_PATH"].strip("/")
    if (_content_root(settings) / folder / video.preview_name).is_file():
        # Stored in the repository by `embed-previews`: Pelican copies and links it.
        return "{static}/" + f"{folder}/{video.preview_name}"
    if not options["EMBEDS_FETCH_PREVIEWS"]:
        return ""
    cached = _cache_dir(settings, options) / video.preview_name
    if not cached.is_file():
        try:
            data = fetch_preview(video)
        except PreviewError as exc:
            logger.warning("embeds: preview of %s not fetched: %s", video.watch_url, exc)
            return ""
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
    return _site_link(content, f"{folder}/{video.preview_name}")


def _privacy_href(content: Any, options: dict[str, Any]) -> str:
    page = options["EMBEDS_PRIVACY_PAGE"]
    if not page or page.startswith(("http:", "https:")):
        return page or ""
    if not (_content_root(content.settings) / page).is_file():
        return ""  # a site without that page: no dead link
    # Pelican resolves {filename} on every page it writes, summaries on listings included.
    return "{filename}/" + page.lstrip("/")


def _relative_source(content: Any) -> str:
    try:
        return os.path.relpath(content.source_path, _content_root(content.settings))
    except (TypeError, ValueError):
        return str(content.source_path)


def _render_video(content: Any, options: dict[str, Any], found: VideoParagraph) -> str | None:
    video = parse_video_url(found.url)
    if video is None:
        if found.explicit:
            logger.warning(
                "embeds: %s: video = %r: expected a YouTube or Vimeo URL "
                "(youtube.com/watch?v=…, youtu.be/…, vimeo.com/…)",
                _relative_source(content),
                found.url,
            )
        return None
    lang = getattr(content, "lang", None)
    labels = VideoLabels(
        play=_translate("Video abspielen", lang),
        note=_translate(
            "Erst beim Abspielen wird das Video von {provider} geladen; dabei erhält {provider} "
            "Daten wie deine IP-Adresse.",
            lang,
        ),
        privacy=_translate("Datenschutz", lang),
        watch=_translate("auf {provider} ansehen", lang),
    )
    title = found.title or _translate("Video auf {provider}", lang).format(
        provider=video.provider_name
    )
    return placeholder_html(
        video,
        title,
        labels,
        preview_src=_preview_src(content, video, options),
        privacy_href=_privacy_href(content, options),
    )


def on_content_init(content: Any) -> None:
    """Replace video paragraphs of articles, pages and episodes with placeholders."""
    raw = raw_content(content)
    if not raw or "http" not in raw:
        return
    options = embeds_settings(content.settings)
    if not options["EMBEDS_VIDEOS"]:
        return
    new, count = replace_videos(raw, functools.partial(_render_video, content, options))
    if count:
        set_raw_content(content, new)


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
        target.parent.mkdir(parents=True, exist_ok=True)
        data = player.oembed_json(document)
        if not (target.is_file() and target.read_text(encoding="utf-8") == data):
            target.write_text(data, encoding="utf-8")
        logger.info("Writing %s", target)

    def _copy_fetched_previews(self) -> None:
        if not self.options["EMBEDS_FETCH_PREVIEWS"]:
            return
        cache = _cache_dir(self.settings, self.options)
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
    return PODCAST_DEFAULTS["PODCAST_FEEDS"] if "podcast" in settings.get("PLUGINS", []) else {}


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
