"""Defaults of the related plugin; every key is documented in docs/settings.md."""

DEFAULTS: dict = {
    # How many related posts an article shows (0 switches the box off).
    "RELATED_COUNT": 4,
    # Score of a shared tag (times its rarity, 1 + ln(articles / articles with the tag)).
    "RELATED_TAG_WEIGHT": 2.0,
    # Score of the same category.
    "RELATED_CATEGORY_WEIGHT": 1.0,
    # Leave out posts of the same series: the series box lists them already.
    "RELATED_SKIP_SAME_SERIES": True,
    # Popular posts: a YAML list of {slug, count} under content/, filled by a person or an
    # analytics export. Without it (or with no usable entry) the most-commented posts count.
    "RELATED_POPULAR_FILE": "data/popular.yaml",
    "RELATED_POPULAR_COUNT": 5,
    # Where the responses archive lives under content/ (one YAML file per article slug).
    "RELATED_RESPONSES_PATH": "responses",
}
