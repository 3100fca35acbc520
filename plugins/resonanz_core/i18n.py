"""German-first UI strings: the German text is the key, English comes from a table."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# German UI string -> English. Plugins add theirs with add_translations().
_EN: dict[str, str] = {
    "Zum Inhalt springen": "Skip to content",
    "Hauptnavigation": "Main navigation",
    "Menü": "Menu",
    "Startseite": "Home",
    "Blog": "Blog",
    "Kategorien": "Categories",
    "Kategorie": "Category",
    "Schlagwörter": "Tags",
    "Schlagwort": "Tag",
    "Autorinnen und Autoren": "Authors",
    "Autor": "Author",
    "Archiv": "Archive",
    "Über uns": "About us",
    "Impressum": "Legal notice",
    "Datenschutz": "Privacy",
    "Seite": "Page",
    "von": "of",
    "Neuere Beiträge": "Newer posts",
    "Ältere Beiträge": "Older posts",
    "Seitennavigation": "Pagination",
    "Weiterlesen": "Read more",
    "Veröffentlicht am": "Published on",
    "Aktualisiert am": "Updated on",
    "von ": "by ",
    "Lesezeit": "Reading time",
    "Minuten": "minutes",
    "Minute": "minute",
    "Auch auf": "Also in",
    "Diesen Beitrag gibt es auch auf": "This post is also available in",
    "Vorheriger Beitrag": "Previous post",
    "Nächster Beitrag": "Next post",
    "Beitragsnavigation": "Post navigation",
    "Beiträge": "Posts",
    "Alle Beiträge": "All posts",
    "Beiträge in der Kategorie": "Posts in category",
    "Beiträge mit dem Schlagwort": "Posts tagged",
    "Beiträge von": "Posts by",
    "Beiträge aus": "Posts from",
    "Feed abonnieren": "Subscribe to the feed",
    "Alle Beiträge (Atom)": "All posts (Atom)",
    "Alle Beiträge (RSS)": "All posts (RSS)",
    "Seite nicht gefunden": "Page not found",
    "Diese Seite gibt es nicht (mehr).": "This page does not exist (any more).",
    "Zur Startseite": "Back to the home page",
    "Suche": "Search",
    "Feeds": "Feeds",
    "Teil": "Part",
    "Serie": "Series",
    "Brotkrumen": "Breadcrumbs",
    "Neueste Beiträge": "Latest posts",
    "Sprache": "Language",
    "Inhalt": "Content",
    "Fußzeile": "Footer",
    "Keine Beiträge gefunden.": "No posts found.",
    "Beitragsbild": "Teaser image",
    # counted phrases (listings, popular posts): "3 Kommentare", not the "Kommentare" heading
    "{n} Kommentar": "{n} comment",
    "{n} Kommentare": "{n} comments",
}

LANGUAGES = ("de", "en")


# (German, English already registered, English offered) for every clash between plugins:
# the table has one English text per German key, so the plugin imported last would win.
_CONFLICTS: list[tuple[str, str, str]] = []


def add_translations(mapping: dict[str, str]) -> None:
    """Register English translations of German UI strings (called by plugins at import)."""
    for german, english in mapping.items():
        known = _EN.get(german)
        if known is not None and known != english:
            _CONFLICTS.append((german, known, english))
            logger.warning(
                "i18n: %r is translated both as %r and as %r; give one use its own German key",
                german, known, english,
            )
    _EN.update(mapping)


def conflicts() -> list[tuple[str, str, str]]:
    """Clashing registrations so far (the tests require none)."""
    return list(_CONFLICTS)


def translate(text: str, lang: str | None) -> str:
    """The UI string in the page language; German is the source, unknown strings stay German."""
    if lang and lang.split("-")[0].lower() == "en":
        return _EN.get(text, text)
    return text


def english_table() -> dict[str, str]:
    """A copy of the translation table (for tests and the README)."""
    return dict(_EN)
