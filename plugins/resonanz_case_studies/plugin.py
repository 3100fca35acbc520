"""Pelican glue of case_studies: marks case studies, checks them, writes index, facets, brands."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals
from pelican.contents import Article
from pelican.generators import Generator
from pelican.urlwrappers import Category
from pelican.utils import slugify
from resonanz_core import i18n
from resonanz_fastbuild import hooks
from resonanz_fastbuild.compat import raw_content

from .model import Facts, mention_pattern, parse_facts, plain_text
from .settings import DEFAULTS, RESERVED_SLUGS

logger = logging.getLogger(__name__)

i18n.add_translations(
    {
        "Fallstudie": "Case study",
        "Fallstudien": "Case studies",
        "Alle Fallstudien": "All case studies",
        "Marke": "Brand",
        "Marken": "Brands",
        "Branche": "Industry",
        "Branchen": "Industries",
        "Jahr": "Year",
        "Jahre": "Years",
        "Kanal": "Channel",
        "Kanäle": "Channels",
        "Herausforderung": "Challenge",
        "Ergebnis": "Outcome",
        "Quellen": "Sources",
        "Auf einen Blick": "At a glance",
        "Passend dazu": "Related",
        "Fallstudien filtern": "Filter case studies",
        "Filter zurücksetzen": "Reset filters",
        "alle": "all",
        "Fallstudien in der Branche": "Case studies in the industry",
        "Fallstudien aus dem Jahr": "Case studies from",
        "Fallstudien zur Marke": "Case studies of the brand",
        "Erwähnt in": "Mentioned in",
        "Noch keine Fallstudien.": "No case studies yet.",
        "Noch nirgends erwähnt.": "Not mentioned anywhere yet.",
        "Beitrag": "Post",
        "Episode": "Episode",
        "Treffer": "matches",
        "Nach Branche": "By industry",
        "Nach Marke": "By brand",
        "Nach Jahr": "By year",
    }
)


def options(settings: dict) -> dict:
    """The plugin's settings: defaults overridden by CASE_STUDIES_* keys."""
    return {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("CASE_STUDIES_")}}


@dataclass
class Facet:
    """One value of a facet (an industry, a brand or a year) and the case studies that have it."""

    kind: str  # industry | brand | year
    name: str
    slug: str
    url: str
    items: list = field(default_factory=list)
    mentions: list = field(default_factory=list)  # brands only: (kind, item) that name the brand

    @property
    def save_as(self) -> str:
        return self.url + "index.html"

    def __str__(self) -> str:
        return self.name


@dataclass
class CaseStudy:
    """What the plugin attaches to a case-study article as `article.case_study`."""

    facts: Facts
    source: str
    brand: Facet | None = None
    industry: Facet | None = None
    year: Facet | None = None
    related_items: list = field(default_factory=list)  # (kind, content)


def _content_root(settings: dict) -> Path:
    return Path(settings["PATH"]).resolve()


def _relative(path: str, root: Path) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return path


def _case_study_folders(settings: dict) -> tuple[str, ...]:
    """content/<CASE_STUDIES_PATH>/ as written and with symlinks resolved."""
    folder = os.path.join(settings["PATH"], options(settings)["CASE_STUDIES_PATH"])
    return tuple({os.path.join(os.path.abspath(folder), ""),
                  os.path.join(os.path.realpath(folder), "")})


def is_case_study_source(source_path: str, settings: dict, folders=None) -> bool:
    """True when the file lies under content/<CASE_STUDIES_PATH>/."""
    folders = folders or _case_study_folders(settings)
    # resolving costs a syscall per folder level: done once per folder, not per file
    directory = _real_dir(os.path.dirname(os.path.abspath(source_path)))
    return os.path.join(directory, "").startswith(folders)


@functools.lru_cache(maxsize=4096)
def _real_dir(directory: str) -> str:
    return os.path.realpath(directory)


def _slug(name: str, settings: dict) -> str:
    return slugify(
        name,
        regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
        preserve_case=False,
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )


def _prepare(article: Article, settings: dict, latest_year: int) -> None:
    opts = options(settings)
    root = _content_root(settings)
    source = _relative(article.source_path, root)
    facts, problems = parse_facts(article.metadata, latest_year)
    for problem in problems:
        logger.warning(
            "case_studies: %s: %s = %r: expected %s",
            source,
            problem.field,
            problem.value,
            problem.expected,
        )
    if article.slug in RESERVED_SLUGS:
        logger.warning(
            "case_studies: %s: slug = %r: expected a slug other than %s (facet pages use them)",
            source,
            article.slug,
            ", ".join(sorted(RESERVED_SLUGS)),
        )
    article.case_study = CaseStudy(facts=facts, source=source)
    if "template" not in article.metadata:
        article.template = "case_study"
    default_lang = getattr(article, "in_default_lang", True)
    url_pattern = opts["CASE_STUDIES_URL" if default_lang else "CASE_STUDIES_LANG_URL"]
    url = url_pattern.format(slug=article.slug, lang=article.lang)
    if "url" not in article.metadata:
        article.override_url = url
    if "save_as" not in article.metadata:
        article.override_save_as = url + "index.html"
    # A case study without a category would land in one named after its folder.
    folder_category = os.path.basename(opts["CASE_STUDIES_PATH"].rstrip("/"))
    category = getattr(article, "category", None)
    if category is None or category.name in (folder_category, settings.get("DEFAULT_CATEGORY")):
        article.category = Category(opts["CASE_STUDIES_CATEGORY"], settings)


def on_pretaxonomy(generator) -> None:
    """Mark, check and place every case study before Pelican builds categories and tags."""
    latest_year = dt.date.today().year
    items = list(generator.articles) + list(generator.translations)
    for name in ("drafts", "drafts_translations", "hidden_articles", "hidden_translations"):
        items += list(getattr(generator, name, []))
    folders = _case_study_folders(generator.settings)
    for article in items:
        if is_case_study_source(article.source_path, generator.settings, folders):
            _prepare(article, generator.settings, latest_year)


def case_studies_in(articles) -> list[Article]:
    """The case studies among articles, newest case first (year, then date, then title)."""
    found = [a for a in articles if isinstance(getattr(a, "case_study", None), CaseStudy)]
    return sorted(
        found,
        key=lambda a: (-(a.case_study.facts.year or 0), -a.date.timestamp(), a.title),
    )


def _facet(table: dict, kind: str, name: str, slug: str, url_pattern: str) -> Facet:
    if slug not in table:
        table[slug] = Facet(kind=kind, name=name, slug=slug, url=url_pattern.format(slug=slug))
    return table[slug]


def build_facets(case_studies: list[Article], settings: dict) -> dict[str, list[Facet]]:
    """Industries, brands and years with their case studies; sets the links on each case."""
    opts = options(settings)
    tables: dict[str, dict[str, Facet]] = {"industry": {}, "brand": {}, "year": {}}
    for article in case_studies:
        case = article.case_study
        facts = case.facts
        if facts.industry:
            slug = _slug(facts.industry, settings)
            case.industry = _facet(
                tables["industry"],
                "industry",
                facts.industry,
                slug,
                opts["CASE_STUDIES_INDUSTRY_URL"],
            )
        if facts.brand:
            slug = _slug(facts.brand, settings)
            case.brand = _facet(
                tables["brand"], "brand", facts.brand, slug, opts["CASE_STUDIES_BRAND_URL"]
            )
        if facts.year:
            case.year = _facet(
                tables["year"],
                "year",
                str(facts.year),
                str(facts.year),
                opts["CASE_STUDIES_YEAR_URL"],
            )
        for facet in (case.industry, case.brand, case.year):
            if facet is not None:
                facet.items.append(article)
    return {
        "industries": sorted(tables["industry"].values(), key=lambda f: f.name.casefold()),
        "brands": sorted(tables["brand"].values(), key=lambda f: f.name.casefold()),
        "years": sorted(tables["year"].values(), key=lambda f: f.name, reverse=True),
    }


def _kind(content) -> str:
    if isinstance(getattr(content, "case_study", None), CaseStudy):
        return "case_study"
    if isinstance(content, Article):
        return "post"
    return "episode"


def _searchable_text(content) -> str:
    parts = [str(getattr(content, "title", "") or ""), str(content.metadata.get("summary") or "")]
    # The raw body is enough for finding a name and does not trigger link rewriting.
    parts.append(raw_content(content) or "")
    return plain_text(" ".join(parts))


def find_mentions(brands: list[Facet], candidates: list) -> None:
    """Fill each brand's mentions with the posts, episodes and case studies that name it."""
    if not brands:
        return  # no case study names a brand: no post's text is needed
    texts = [(content, _searchable_text(content)) for content in candidates]
    for brand in brands:
        pattern = mention_pattern(brand.name)
        own = {id(a) for a in brand.items}
        brand.mentions = [
            (_kind(content), content)
            for content, text in texts
            if id(content) not in own and pattern.search(text)
        ]


def resolve_related(case_studies: list[Article], candidates: list) -> None:
    """Turn each case study's `related` slugs into content; unknown slugs are reported."""
    by_slug = {}
    for content in candidates:
        by_slug.setdefault(getattr(content, "slug", None), content)
    for article in case_studies:
        case = article.case_study
        case.related_items = []
        for slug in case.facts.related:
            target = by_slug.get(slug)
            if target is None or target is article:
                logger.warning(
                    "case_studies: %s: related = %r: expected the slug of another post, "
                    "case study or episode",
                    case.source,
                    slug,
                )
                continue
            case.related_items.append((_kind(target), target))


def on_all_generators_finalized(generators) -> None:
    """Link case studies with facets, related content and brand mentions (needs episodes)."""
    context = generators[0].context
    settings = generators[0].settings
    articles = list(context.get("articles") or [])
    episodes = list(context.get("episodes") or [])
    # Sorted so that mentions and related lists come out in the same order every build.
    candidates = sorted(articles, key=lambda a: (-a.date.timestamp(), a.slug)) + episodes
    case_studies = case_studies_in(articles)
    facets = build_facets(case_studies, settings)
    resolve_related(case_studies, candidates)
    if options(settings)["CASE_STUDIES_FIND_MENTIONS"]:
        find_mentions(facets["brands"], candidates)
    # Templates read the URL settings (CASE_STUDIES_INDEX_URL ...) even when pelicanconf omits them.
    for key, value in options(settings).items():
        context.setdefault(key, value)
    context["case_studies"] = case_studies
    context["case_study_facets"] = facets


def named_brands(content, generator=None, **_) -> list[str] | None:
    """resonanz_fastbuild.hooks.text_facts: the brands a post's text names (each brand's
    page lists the posts that name it); None when mentions are not looked for."""
    if generator is None or not options(generator.settings)["CASE_STUDIES_FIND_MENTIONS"]:
        return None
    facets = generator.context.get("case_study_facets") or {}
    text = _searchable_text(content)
    return sorted(brand.name for brand in facets.get("brands") or ()
                  if mention_pattern(brand.name).search(text))


class CaseStudiesGenerator(Generator):
    """Writes /fallstudien/, one page per industry, year and brand."""

    def generate_context(self) -> None:
        # Everything this generator needs is linked in all_generators_finalized.
        self.context.setdefault("case_studies", [])
        self.context.setdefault("case_study_facets", {"industries": [], "brands": [], "years": []})

    def generate_output(self, writer) -> None:
        opts = options(self.settings)
        case_studies = self.context.get("case_studies") or []
        facets = self.context.get("case_study_facets") or {}
        relative = self.settings.get("RELATIVE_URLS", False)
        index_url = opts["CASE_STUDIES_INDEX_URL"]
        listing = self.get_template("case_studies")
        writer.write_file(
            index_url + "index.html",
            listing,
            self.context,
            relative_urls=relative,
            url=index_url,
            facet=None,
            items=case_studies,
            template_name="case_studies",
        )
        # facet kind -> the template its pages use (brand pages add the backlinks)
        pages = (("industries", "case_studies"), ("years", "case_studies"), ("brands", "brand"))
        for kind, template_name in pages:
            template = listing if template_name == "case_studies" else self.get_template("brand")
            for facet in facets.get(kind, []):
                writer.write_file(
                    facet.save_as,
                    template,
                    self.context,
                    relative_urls=relative,
                    url=facet.url,
                    facet=facet,
                    items=facet.items,
                    template_name=template_name,
                )


def get_generators(pelican) -> type:
    return CaseStudiesGenerator


def register() -> None:
    hooks.text_facts.connect(named_brands)
    signals.article_generator_pretaxonomy.connect(on_pretaxonomy)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_generators.connect(get_generators)
