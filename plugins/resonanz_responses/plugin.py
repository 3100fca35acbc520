"""Pelican glue of the responses plugin: load YAML, attach responses to articles, write feeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup
from pelican import signals

from resonanz.responses_format import LINKBACK_TYPES, problem

from . import paging, sanitise, targets
from .comment_form import CommentForm, form_for, uses_form
from .entries import FOLDERS, NAMES, page_state, response_files, response_key
from .model import Response, is_blocked, load_responses
from .output import absolute, write_feeds
from .settings import COMMENT_STATES, check_options, options_from
from .strings import ENGLISH
from .threads import ThreadNode, build_threads, count_nodes
from .widget import Widget, WidgetConfigError, widget_for

logger = logging.getLogger(__name__)

try:  # the project's core and fast-build plugins; the responses plugin works without
    from resonanz_core import i18n
    from resonanz_fastbuild import hooks as fastbuild_hooks
    from resonanz_fastbuild import uptodate
except ImportError:  # pragma: no cover - only outside this project
    i18n = uptodate = fastbuild_hooks = None

if i18n is not None:
    i18n.add_translations(ENGLISH)


# context keys: the archive read once per build, the keys of entries that got responses
ARCHIVE = "RESPONSES_ARCHIVE"
AHEAD = "RESPONSES_ARCHIVE_READ_AHEAD"  # what the first reading worker read (read_ahead)
ATTACHED = "RESPONSES_ATTACHED"
WIDGET_ERROR = "RESPONSES_WIDGET_ERROR"


@dataclasses.dataclass
class ArticleResponses:
    """Everything the templates show about the responses of one article."""

    state: str  # open | closed | hidden
    threads: list[ThreadNode]
    linkbacks: list[Response]
    likes: list[Response]
    reposts: list[Response]
    widget: Widget | None = None
    form: CommentForm | None = None
    trackback_url: str = ""
    feed_url: str = ""
    kind: str = "article"  # article | page | episode
    key: str = ""  # the responses file below RESPONSES_PATH, without .yaml

    @property
    def comment_count(self) -> int:
        return count_nodes(self.threads)

    @property
    def linkback_count(self) -> int:
        return len(self.linkbacks)

    @property
    def count(self) -> int:
        """Comments and linkbacks (likes and reposts are counted separately)."""
        return self.comment_count + self.linkback_count

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def shown(self) -> bool:
        """Whether the page shows the section: a closed page without responses does not."""
        if self.state == "hidden":
            return False
        return self.kind != "page" or self.is_open or self.has_archive

    @property
    def has_archive(self) -> bool:
        return bool(self.threads or self.linkbacks or self.likes or self.reposts)

    def all_shown(self) -> list[Response]:
        """Comments and linkbacks in the order of publication (for feeds)."""
        shown: list[Response] = []

        def walk(nodes: list[ThreadNode]) -> None:
            for node in nodes:
                shown.append(node.response)
                walk(node.replies)

        walk(self.threads)
        return sorted(shown + self.linkbacks, key=lambda r: (r.published, r.id))


def _build_time() -> dt.datetime:
    # SOURCE_DATE_EPOCH makes "closed after N days" reproducible (same content, same bytes).
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


Message = tuple[int, str, tuple]  # a log record to make: level, format, arguments


def _read_archive(content_root: Path, options: dict, tz: dt.tzinfo
                  ) -> tuple[dict[str, list[Response]], list[Message]]:
    """key -> shown (approved, not blocked) responses with safe HTML, and the messages to
    log about the files (in a reading worker, read_ahead, nothing is logged)."""
    messages: list[Message] = []
    folder = content_root / options["RESPONSES_PATH"]
    root = content_root.resolve()
    # where each folder really is, resolved once: a file that is not a link is where its
    # folder is (a realpath per file looked at every folder above it: 200 files, 20 ms)
    real_folders: dict[Path, Path] = {}
    by_key: dict[str, list[Response]] = {}
    for _kind, key, path in response_files(folder):
        real_folder = real_folders.get(path.parent)
        if real_folder is None:
            real_folder = real_folders[path.parent] = Path(os.path.realpath(path.parent))
        real = Path(os.path.realpath(path)) if path.is_symlink() else real_folder / path.name
        if not real.is_relative_to(root):
            continue  # linked from outside content/: never read (resonanz_core reports it)
        rel = path.relative_to(content_root).as_posix()
        responses, problems = load_responses(path, rel)
        messages.extend((logging.WARNING, "%s", (line,)) for line in problems)
        shown = []
        for response in responses:
            if response.status != "approved":
                continue
            if is_blocked(
                response, options["RESPONSES_BLOCKED_DOMAINS"], options["RESPONSES_BLOCKED_AUTHORS"]
            ):
                messages.append((logging.INFO, "responses: %s: id %r hidden by a block list",
                                 (rel, response.id)))
                continue
            shown.append(
                dataclasses.replace(
                    response,
                    published=response.published.astimezone(tz),
                    # Markup: safe HTML that an autoescaping template must not escape again.
                    html=Markup(
                        sanitise.sanitise(response.content, options["RESPONSES_MAX_LENGTH"])
                    ),
                    excerpt=sanitise.excerpt(
                        response.content or response.title, options["RESPONSES_EXCERPT_LENGTH"]
                    ),
                )
            )
        by_key.setdefault(key, []).extend(shown)
    return by_key, messages


def archive_ahead(generator) -> tuple[dict[str, list[Response]], list[Message]]:
    """resonanz_fastbuild's read_ahead: the first worker reading posts reads the archive
    (200 files: a tenth of a second a cold build spent before rendering)."""
    settings = generator.settings
    return _read_archive(Path(settings["PATH"]).resolve(),
                         check_options(options_from(settings)),
                         ZoneInfo(settings.get("TIMEZONE") or "UTC"))


def _take_archive(generator, archive: tuple) -> None:
    generator.context[AHEAD] = archive


def _archive(generator) -> tuple[dict, dict[str, list[Response]]]:
    """Checked options and the loaded archive, read once per build and kept in the context."""
    context = generator.context
    if "RESPONSES" not in context or ARCHIVE not in context:
        settings = generator.settings
        options = check_options(options_from(settings))
        context["RESPONSES"] = options
        archive = context.pop(AHEAD, None)
        if archive is None:  # not read ahead (one process, an incremental build)
            tz = ZoneInfo(settings.get("TIMEZONE") or "UTC")
            archive = _read_archive(Path(settings["PATH"]).resolve(), options, tz)
        context[ARCHIVE], messages = archive
        for level, text, args in messages:
            logger.log(level, text, *args)
    return context["RESPONSES"], context[ARCHIVE]


def _state(article, options: dict, now: dt.datetime) -> str:
    value = str(getattr(article, "comments", "") or "").strip().lower()
    # resonanz_core already reports values outside open|closed|hidden.
    state = value if value in COMMENT_STATES else options["RESPONSES_COMMENTS_DEFAULT"]
    days = options["RESPONSES_CLOSE_AFTER_DAYS"]
    date = getattr(article, "date", None)
    if state == "open" and days and date is not None:
        if date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
        if now - date > dt.timedelta(days=days):
            state = "closed"
        elif uptodate is not None:  # the page changes then, with no file changing
            uptodate.output_changes_at(date + dt.timedelta(days=days))
    return state


def _entry_responses(
    entry,
    kind: str,
    shown: list[Response],
    options: dict,
    settings: dict,
    state: str,
    report: bool,
    report_widget: bool,
) -> tuple[ArticleResponses, bool]:
    """The ArticleResponses of one entry; the flag says a widget setting was bad."""
    key = response_key(kind, entry.slug)
    comments = [r for r in shown if r.type == "comment"]
    threads, orphans = build_threads(comments, options["RESPONSES_MAX_DEPTH"])
    rel = f"{options['RESPONSES_PATH']}/{key}.yaml"
    if report:
        for orphan in orphans:
            logger.warning(
                "%s",
                problem(
                    rel,
                    "in_reply_to",
                    orphan.in_reply_to,
                    "the id of an approved comment in this file (shown at top level)",
                    f"entry (id {orphan.id!r})",
                ),
            )
    feed_path = options["RESPONSES_ARTICLE_FEED_ATOM"]
    responses = ArticleResponses(
        state=state,
        threads=threads,
        linkbacks=[
            r for r in sorted(shown, key=lambda r: (r.published, r.id)) if r.type in LINKBACK_TYPES
        ],
        likes=[r for r in shown if r.type == "like"],
        reposts=[r for r in shown if r.type == "repost"],
        kind=kind,
        key=key,
    )
    # An entry's feed only once there is something in it (feed readers dislike empty ones).
    if feed_path and state != "hidden" and responses.all_shown():
        responses.feed_url = feed_path.format(slug=key)
    bad_widget = False
    if state == "open":
        page_url = absolute(settings, entry.url)
        template = options["RESPONSES_TRACKBACK_URL"] or (
            options["RESPONSES_RECEIVER_URL"].rstrip("/") + "/trackback/{slug}"
            if options["RESPONSES_RECEIVER_URL"]
            else ""
        )
        if template and str(getattr(entry, "linkbacks", "on")).strip().lower() != "off":
            responses.trackback_url = template.format(slug=key, url=page_url)
        if uses_form(options):
            responses.form = form_for(page_url, threads, options, absolute(settings, ""))
            return responses, False
        try:
            responses.widget = widget_for(
                options["RESPONSES_PROVIDER"],
                options["RESPONSES_PROVIDER_URL"],
                options["RESPONSES_PROVIDER_OPTIONS"],
                page_url=page_url,
                page_id=key,
                title=entry.title,
                lang=getattr(entry, "lang", None) or "de",
            )
        except WidgetConfigError as error:
            bad_widget = True
            if report_widget:
                logger.error("responses: setting %s (no comment widget shown)", error)
    return responses, bad_widget


def _attach_all(generator, kind: str, entries: list, published: set[int], state_of) -> None:
    options, archive = _archive(generator)
    context = generator.context
    for entry in entries:
        key = response_key(kind, entry.slug)
        report = id(entry) in published
        entry.responses, bad_widget = _entry_responses(
            entry,
            kind,
            archive.get(key, []),
            options,
            generator.settings,
            state_of(entry),
            report,
            # a bad widget setting is one error per build, not one per entry
            report and not context.get(WIDGET_ERROR),
        )
        if bad_widget and report:
            context[WIDGET_ERROR] = True
        context.setdefault(ATTACHED, set()).add(key)


def attach(generator) -> None:
    """article_generator_finalized: give every article an ArticleResponses as .responses."""
    options, _ = _archive(generator)
    now = _build_time()
    _attach_all(
        generator,
        "article",
        list(generator.articles) + list(generator.translations),
        {id(a) for a in generator.articles},
        lambda article: _state(article, options, now),
    )


def attach_pages(generator) -> None:
    """page_generator_finalized: pages carry responses too; legal pages are closed."""
    options, _ = _archive(generator)

    def state_of(page) -> str:
        value = str(getattr(page, "comments", "") or "").strip().lower()
        return page_state(
            page.slug,
            value if value in COMMENT_STATES else "",
            list(options["RESPONSES_CLOSED_PAGES"]),
            options["RESPONSES_COMMENTS_DEFAULT"],
        )

    pages = list(generator.pages) + list(generator.hidden_pages)
    _attach_all(
        generator, "page", pages + list(generator.translations), {id(p) for p in pages}, state_of
    )


def attach_episodes(generators) -> None:
    """all_generators_finalized: episodes (podcast plugin) carry responses like posts.

    Also reports responses files that belong to no entry: only now are all entries known.
    """
    first = None
    for generator in generators:
        first = first or (generator if hasattr(generator, "context") else None)
        episodes = getattr(generator, "episodes", None)
        if episodes and hasattr(generator, "context"):
            options, _ = _archive(generator)
            now = _build_time()
            _attach_all(
                generator,
                "episode",
                list(episodes),
                {id(e) for e in episodes},
                functools.partial(_state, options=options, now=now),
            )
    if first is None:
        return
    # Which pages accept responses: known only now that every kind has its responses
    # (written later, since Pelican may empty the output folder after this signal).
    first.context["RESPONSES_TARGETS"] = targets.collect(
        generators, first.settings, _archive(first)[0]
    )
    if ATTACHED not in first.context:
        return
    options, archive = _archive(first)
    attached = first.context[ATTACHED]
    folder = options["RESPONSES_PATH"]
    for key in sorted(set(archive) - attached):
        kind = next((k for k, f in FOLDERS.items() if f and key.startswith(f + "/")), "article")
        slug = key.rsplit("/", 1)[-1]
        expected = f"the slug of {NAMES[kind]} (file name = its slug)"
        # e.g. a page's comments in the posts' folder (older imports wrote them there)
        owner = next((k for k in FOLDERS if response_key(k, slug) in attached), None)
        if owner is not None:
            expected += f"; {NAMES[owner]} has this slug: move the file to "
            expected += f"{folder}/{response_key(owner, slug)}.yaml"
        logger.warning("%s", problem(f"{folder}/{key}.yaml", "slug", slug, expected))


def register() -> None:
    signals.article_generator_finalized.connect(attach)
    signals.page_generator_finalized.connect(attach_pages)
    signals.all_generators_finalized.connect(attach_episodes)
    signals.article_generator_finalized.connect(paging.paginate)  # after attach
    signals.article_writer_finalized.connect(write_feeds)
    signals.article_writer_finalized.connect(paging.write_pages)
    if fastbuild_hooks is not None:
        fastbuild_hooks.read_ahead(archive_ahead, _take_archive)
