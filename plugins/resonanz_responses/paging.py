"""Comments of a post spread over several pages when there are more than fit one page
(10,000 comments made a 7 MB page): the post shows the first page, links lead on."""

from __future__ import annotations

import copy
import dataclasses
import posixpath

from .settings import DEFAULTS
from .threads import ThreadNode, count_nodes

try:  # the project's core plugin; the responses plugin also works without it
    from resonanz_core import i18n
except ImportError:  # pragma: no cover - only outside this project
    i18n = None

if i18n is not None:
    i18n.add_translations({
        "Seiten der Kommentare": "Comment pages",
        "Weitere Kommentare": "More comments",
        "Frühere Kommentare": "Earlier comments",
        "Zurück zum Beitrag": "Back to the post",
    })

@dataclasses.dataclass(frozen=True)
class CommentPage:
    """One page of comments: number 1 is the post itself."""

    number: int
    url: str
    save_as: str


def split_threads(threads: list[ThreadNode], per_page: int) -> list[list[ThreadNode]]:
    """Whole threads, oldest first, about per_page comments (replies count) per page."""
    pages: list[list[ThreadNode]] = [[]]
    size = 0
    for node in threads:
        nodes = count_nodes([node])
        if pages[-1] and size + nodes > per_page:
            pages.append([])
            size = 0
        pages[-1].append(node)
        size += nodes
    return pages


def page_links(article_url: str, article_save_as: str, count: int,
               folder: str) -> list[CommentPage]:
    """Page 1 is the post; page n lives in <post>/<folder>/<n>/."""
    base_url = article_url if article_url.endswith("/") or not article_url else article_url + "/"
    base_dir = posixpath.dirname(article_save_as)
    links = [CommentPage(1, article_url, article_save_as)]
    for number in range(2, count + 1):
        links.append(CommentPage(
            number, f"{base_url}{folder}/{number}/",
            posixpath.join(base_dir, folder, str(number), "index.html")))
    return links


def _articles(generator) -> list:
    return [*generator.articles, *getattr(generator, "translations", [])]


def paginate(generator) -> None:
    """article_generator_finalized, after the responses are attached."""
    per_page = generator.settings.get("RESPONSES_PER_PAGE", DEFAULTS["RESPONSES_PER_PAGE"])
    folder = generator.settings.get("RESPONSES_PAGE_FOLDER", DEFAULTS["RESPONSES_PAGE_FOLDER"])
    if not isinstance(per_page, int) or per_page < 1:
        return  # reported by the plugin's settings check
    for article in _articles(generator):
        responses = getattr(article, "responses", None)
        if responses is None or count_nodes(responses.threads) <= per_page:
            continue
        pages = split_threads(responses.threads, per_page)
        responses.comment_pages = page_links(article.url, article.save_as, len(pages), folder)
        responses.page_threads = pages[0]
        responses.page_number = 1
        responses.later_threads = pages[1:]


def write_pages(generator, writer=None) -> None:
    """article_writer_finalized: pages 2.. of comments, each a copy of the post's
    responses with its own threads (and no form, widget or linkbacks)."""
    if writer is None:
        return
    template = generator.get_template("responses_page")
    for article in _articles(generator):
        responses = getattr(article, "responses", None)
        later = getattr(responses, "later_threads", None)
        if not later:
            continue
        for threads, link in zip(later, responses.comment_pages[1:], strict=True):
            shown = dataclasses.replace(responses, linkbacks=[], likes=[], reposts=[],
                                        widget=None, trackback_url="")
            shown.comment_pages = responses.comment_pages
            shown.page_threads = threads
            shown.page_number = link.number
            page = copy.copy(article)
            page.responses = shown
            writer.write_file(link.save_as, template, generator.context, article=page,
                              comments_page=link,
                              relative_urls=generator.settings.get("RELATIVE_URLS"),
                              url=link.url)
