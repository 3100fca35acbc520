"""Defaults of the case_studies plugin; every key is documented in docs/settings.md."""

DEFAULTS: dict = {
    # Folder under content/ (also listed in ARTICLE_PATHS) that holds the case studies.
    "CASE_STUDIES_PATH": "case-studies",
    # Category of a case study that names none in its metadata.
    "CASE_STUDIES_CATEGORY": "Fallstudien",
    # Where a case study itself is written ({slug}, {lang}).
    "CASE_STUDIES_URL": "fallstudien/{slug}/",
    "CASE_STUDIES_LANG_URL": "{lang}/fallstudien/{slug}/",
    # Index and facet pages; the save_as is the URL plus index.html.
    "CASE_STUDIES_INDEX_URL": "fallstudien/",
    "CASE_STUDIES_INDUSTRY_URL": "fallstudien/branche/{slug}/",
    "CASE_STUDIES_BRAND_URL": "fallstudien/marke/{slug}/",
    "CASE_STUDIES_YEAR_URL": "fallstudien/jahr/{slug}/",
    # Find brand names in the text of posts, episodes and other case studies ("Erwähnt in").
    "CASE_STUDIES_FIND_MENTIONS": True,
}

# Slugs that a case study cannot take, because facet folders use them.
RESERVED_SLUGS = frozenset({"branche", "marke", "jahr", "page"})
