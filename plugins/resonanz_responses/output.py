"""What the responses plugin writes past the page templates: the comments feeds (one per
article and one for the site), the list of pages that take responses, the thank-you page."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import os
from pathlib import Path

from . import targets
from .comment_form import uses_form, write_thanks_page
from .feeds import FeedItem, comments_feed
from .settings import check_options, options_from

try:  # the project's fast-build plugin; the responses plugin works without it
    from resonanz_fastbuild import hooks as fastbuild_hooks
except ImportError:  # pragma: no cover - only outside this project
    fastbuild_hooks = None

logger = logging.getLogger(__name__)


def absolute(settings: dict, path: str) -> str:
    base = settings.get("CANONICAL_SITEURL") or settings.get("SITEURL") or ""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def write_feeds(generator, writer=None) -> None:
    """article_writer_finalized: the comments feed of each article and of the whole site,
    the list of pages that accept responses and the comment form's thank-you page."""
    settings = generator.settings
    options = generator.context.get("RESPONSES") or check_options(options_from(settings))
    output = Path(generator.output_path)
    if options["RESPONSES_TARGETS_SAVE_AS"] and "RESPONSES_TARGETS" in generator.context:
        data = targets.targets_document(
            generator.context["RESPONSES_TARGETS"],
            absolute(settings, ""),
            options["RESPONSES_RECEIVER_URL"] if uses_form(options) else "",
        )
        targets.write(output, options["RESPONSES_TARGETS_SAVE_AS"], data)
    write_thanks_page(generator, options)
    lang = settings.get("DEFAULT_LANG") or "de"
    site_items: list[FeedItem] = []
    newest_article = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    entries = [
        *generator.articles,
        *(generator.context.get("pages") or ()),
        *(generator.context.get("hidden_pages") or ()),
        *(generator.context.get("episodes") or ()),
    ]
    known = _Written(settings, output)
    root = output.resolve()  # once: a feed per post is written below
    for article in entries:
        responses = getattr(article, "responses", None)
        if responses is None or responses.state == "hidden":
            continue
        article_url = absolute(settings, article.url)
        items = [FeedItem(r, article.title, article_url) for r in responses.all_shown()]
        site_items.extend(items)
        date = getattr(article, "date", None)
        if date is not None and date.tzinfo is not None and responses.kind != "page":
            newest_article = max(newest_article, article.date)
        if responses.feed_url:
            arguments = {
                "title": f"Kommentare zu „{article.title}“"
                if lang == "de"
                else f"Comments on “{article.title}”",
                "feed_url": absolute(settings, responses.feed_url),
                "home_url": article_url,
                "items": items,
                "updated": date or newest_article,
                "lang": getattr(article, "lang", None) or lang,
            }
            if not known.unchanged(responses.feed_url, arguments):
                _alongside(functools.partial(_write_feed, output, responses.feed_url,
                                             arguments, root),
                           functools.partial(_wrote, known, responses.feed_url))
            _made(output / responses.feed_url)
    path = options["RESPONSES_FEED_ATOM"]
    if path:
        arguments = {
            "title": f"{settings.get('SITENAME', '')}: "
            + ("Kommentare" if lang == "de" else "Comments"),
            "feed_url": absolute(settings, path),
            "home_url": absolute(settings, ""),
            "items": site_items,
            "updated": newest_article,
            "lang": lang,
            "max_items": options["RESPONSES_FEED_MAX_ITEMS"],
        }
        if not known.unchanged(path, arguments):
            _alongside(functools.partial(_write_feed, output, path, arguments, root),
                       functools.partial(_wrote, known, path))
        _made(output / path)
    # after the feeds are written (the jobs' done() run in order)
    _alongside(_nothing, functools.partial(_save, known))


def _alongside(job, done) -> None:
    """The feeds are made while the listings render (fast build), else at once."""
    if fastbuild_hooks is not None:
        fastbuild_hooks.alongside(job, done)
    else:
        done(job())


def _write_feed(output: Path, relative: str, arguments: dict, root: Path) -> None:
    _write(output, relative, comments_feed(**arguments), root)


def _wrote(known: _Written, relative: str, _result: None) -> None:
    known.wrote(relative)


def _save(known: _Written, _result: None) -> None:
    known.save()


def _nothing() -> None:
    return None


class _Written:
    """The comments feeds the last build wrote, each with a digest of what it was made
    from and the file's size and time then (in the cache folder): a feed whose comments,
    post title and addresses are the same, and whose file nobody touched, is not made
    again. Without a cache folder every feed is made."""

    NAME = "responses-feeds.json"
    VERSION = 1

    def __init__(self, settings: dict, output: Path) -> None:
        cache = settings.get("CACHE_PATH")
        self.path = Path(cache) / self.NAME if cache else None
        self.output = output
        self.before: dict = {}
        self.now: dict = {}
        self.keys: dict[str, str] = {}
        self.code = _code_stamp() if self.path is not None else ""
        if self.path is not None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("version") == self.VERSION and data.get("output") == str(output) \
                        and data.get("code") == self.code:
                    self.before = data["feeds"]
            except (OSError, ValueError, KeyError, AttributeError):
                pass

    def unchanged(self, relative: str, arguments: dict) -> bool:
        if self.path is None:
            return False
        made_of = [(key, repr(value)) for key, value in sorted(arguments.items())
                   if key != "items"]
        made_of += [(repr(item.response), item.response.anchor, item.response.site,
                     item.article_title, item.article_url)
                    for item in arguments["items"]]
        key = self.keys[relative] = hashlib.blake2b(
            repr(made_of).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        before = self.before.get(relative)
        if before is None or before[0] != key:
            return False
        try:
            found = (self.output / relative).stat()
        except OSError:
            return False
        if [found.st_size, found.st_mtime_ns] != before[1:]:
            return False
        self.now[relative] = before
        return True

    def wrote(self, relative: str) -> None:
        try:
            found = (self.output / relative).stat()
        except OSError:
            return
        if relative in self.keys:
            self.now[relative] = [self.keys[relative], found.st_size, found.st_mtime_ns]

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps({"version": self.VERSION, "output": str(self.output),
                                             "code": self.code, "feeds": self.now}),
                                 encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:  # the next build makes every feed again
            logger.debug("responses: %s not saved (%s)", self.path, exc)


def _made(path: Path) -> None:
    """Tell the fast build's record (when it is there) that this build made `path`: a
    post deleted later takes its comments feed with it."""
    if fastbuild_hooks is not None:
        fastbuild_hooks.made(path)


def _code_stamp() -> str:
    """What else the feeds' bytes depend on: this code, the response model's and the
    feed generator's (feedgen, lxml)."""
    from feedgen import version
    from lxml import etree

    from resonanz import responses_format

    here = Path(__file__).parent
    digest = hashlib.blake2b(f"{getattr(version, 'version_str', '?')} "
                             f"{getattr(etree, 'LXML_VERSION', '?')}".encode(),
                             digest_size=16)
    for path in (here / "output.py", here / "feeds.py", Path(responses_format.__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _write(output: Path, relative: str, data: bytes, root: Path | None = None) -> None:
    """root: output resolved (made once by a caller that writes many feeds)."""
    target = (output / relative).resolve()
    if (root or output.resolve()) not in target.parents:
        logger.error("responses: feed path %r: must stay inside the output folder", relative)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
