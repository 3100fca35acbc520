"""The content model: every metadata field of posts, case studies, episodes and pages.

One table that the metadata checks (KNOWN_METADATA, ENUMS), the case-study validation
(REQUIRED) and the browser CMS (plugins/resonanz_cms) all read, so a field added here is
checked by the build and offered to editors, with the same rules. Labels and hints are
German: editors read them in the CMS.
"""

from __future__ import annotations

from dataclasses import dataclass

# Pelican's own metadata and what bundled pelican-plugins read, beyond the fields below.
PELICAN_METADATA = frozenset(
    """
    author lang translation status template save_as url keywords description og_image
    old_url reader
    """.split()
)


@dataclass(frozen=True)
class Field:
    """One metadata field as editors and the build see it.

    kind: string | text | markdown | datetime | list | select | category | number |
    boolean | image | file. `options` are the allowed values of a select (checked by the
    build); `pattern` a regular expression each value must match, `pattern_hint` says
    what it means. `with_field`: a field that must be filled whenever this one is.
    `separator`: how a one-line value splits into a list (None: whitespace).
    """

    name: str
    label: str
    kind: str = "string"
    hint: str = ""
    required: bool = False
    options: tuple[str, ...] = ()
    default: object = None
    pattern: str = ""
    pattern_hint: str = ""
    with_field: str = ""
    separator: str | None = ","
    min: int | None = None
    max: int | None = None
    # The upper bound is the year of the build (a case study cannot play in the future).
    max_this_year: bool = False


TITLE = Field("title", "Titel", required=True, hint="Die Überschrift, wie Leser sie sehen.")
DATE = Field(
    "date", "Datum", "datetime", required=True,
    hint="Veröffentlichungszeitpunkt (Europe/Berlin). Liegt er in der Zukunft, "
    "erscheint der Text erst dann, wenn die Seite danach neu gebaut wird.",
)
SLUG = Field(
    "slug", "Kurzname in der Adresse", hint="Leer lassen: wird aus dem Titel gebildet "
    "(ä → ae, ß → ss). Nach dem Veröffentlichen nicht mehr ändern, sonst bricht der Link.",
    pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
    pattern_hint="nur Kleinbuchstaben a–z, Ziffern und Bindestriche, z. B. gruesse-aus-koeln",
)
SUMMARY = Field(
    "summary", "Anreißer", "text",
    hint="Ein bis zwei Sätze für Übersichten, Feeds und Suchmaschinen.",
)
AUTHORS = Field("authors", "Autorinnen und Autoren", "list", hint="Ein Name pro Eintrag.")
TAGS = Field("tags", "Schlagwörter", "list", hint="Mit Komma trennen, z. B. Community, CRM.")
CATEGORY = Field(
    "category", "Kategorie", "category",
    hint="Eine der Kategorien, die es schon gibt (neue Kategorien legt die Redaktion fest).",
)
BODY = Field("body", "Text", "markdown", hint="Formatieren mit der Werkzeugleiste oder im "
             "Markdown-Modus (Schalter oben rechts). Jedes Bild braucht einen Alternativtext.")

POST_FIELDS: tuple[Field, ...] = (
    TITLE,
    DATE,
    CATEGORY,
    TAGS,
    AUTHORS,
    SUMMARY,
    Field("image", "Teaserbild", "image", with_field="image_alt",
          hint="Querformat, am besten 1200 × 630 Pixel (JPEG oder PNG)."),
    Field("image_alt", "Alternativtext des Teaserbilds",
          hint="Pflicht, sobald ein Teaserbild gesetzt ist: beschreibe, was darauf zu sehen "
          "ist, für Menschen, die es nicht sehen."),
    Field("series", "Serie", hint="Name der Serie, z. B. „CRM-Trend der Woche“; leer: keine."),
    Field("series_index", "Teil der Serie", "number", min=1,
          hint="Position in der Serie: 1, 2, 3 …"),
    Field("comments", "Kommentare", "select", options=("open", "closed", "hidden"),
          hint="open: Leser können kommentieren; closed: alte Kommentare bleiben sichtbar, "
          "neue sind nicht möglich; hidden: Kommentare ausgeblendet."),
    Field("linkbacks", "Trackbacks und Webmentions", "select", options=("on", "off"),
          hint="on: verlinkte Blogs werden benachrichtigt, Erwähnungen erscheinen; off: nicht."),
    SLUG,
    Field("modified", "Zuletzt geändert", "datetime",
          hint="Nur bei wesentlichen Änderungen setzen; erscheint als „Aktualisiert am“."),
    BODY,
)

CASE_STUDY_FIELDS: tuple[Field, ...] = (
    TITLE,
    DATE,
    Field("brand", "Marke", required=True, hint="Der Name der Marke, z. B. Velo Verde."),
    Field("industry", "Branche", required=True, hint="z. B. Handel, Energie, Reisen."),
    Field("year", "Jahr", "number", required=True, min=1900, max_this_year=True,
          hint="Das Jahr, in dem der Fall spielte, vierstellig."),
    Field("channel", "Kanäle", "list", hint="z. B. Forum, Instagram, Veranstaltungen."),
    Field("challenge", "Herausforderung", "text", required=True,
          hint="Ein bis zwei Sätze: Was war das Problem?"),
    Field("outcome", "Ergebnis", "text", required=True,
          hint="Ein bis zwei Sätze: Was hat sich verändert (mit Zahlen, wenn es welche gibt)?"),
    Field("sources", "Quellen", "list", required=True, separator=None,
          pattern=r"^https?://[^\s/]+\.[^\s/]+\S*$",
          pattern_hint="eine vollständige Adresse wie https://www.example.com/pressemitteilung",
          hint="Eine Adresse (https://…) pro Eintrag."),
    Field("related", "Passend dazu", "list",
          hint="Kurznamen (slug) verwandter Beiträge oder Fallstudien."),
    TAGS,
    AUTHORS,
    SUMMARY,
    SLUG,
    BODY,
)

EPISODE_FIELDS: tuple[Field, ...] = (
    TITLE,
    DATE,
    Field("number", "Folgennummer", "number", min=0,
          hint="Leer lassen, wenn der Dateiname mit der Nummer beginnt (034-…)."),
    Field("season", "Staffel", "number", min=0),
    Field("episode_type", "Art der Folge", "select", options=("full", "trailer", "bonus"),
          hint="full: normale Folge; trailer: Vorschau; bonus: Zusatzfolge."),
    Field("explicit", "Nicht jugendfrei (explicit)", "boolean",
          hint="Nur anhaken, wenn die Folge derbe Sprache oder Inhalte enthält."),
    Field("audio", "Audiodatei", "file",
          hint="MP3, M4A oder Opus; wird neben den Shownotes in content/episodes/ abgelegt. "
          "Benenne die Datei wie die Folge (034-zuhoeren.mp3). Grenzen des Git-Hosts: "
          "siehe Redaktionsleitfaden."),
    Field("guests", "Gäste", "list", separator=";",
          hint="Ein Gast pro Eintrag: `Name <https://link>` oder nur der Name."),
    Field("summary", "Kurzbeschreibung", "text",
          hint="Ein bis zwei Sätze für Podcast-Apps und die Episodenliste."),
    Field("cover", "Cover der Folge", "image",
          hint="Quadratisch, 1400–3000 Pixel; leer: das Cover des Podcasts."),
    SLUG,
    BODY,
)

PAGE_FIELDS: tuple[Field, ...] = (
    TITLE,
    SLUG,
    SUMMARY,
    BODY,
)

# Metadata that only importers or hand-edited files write; the CMS does not offer them.
OTHER_METADATA = frozenset(
    "tag chapters transcript guid block".split()
)

CONTENT_TYPES: dict[str, tuple[Field, ...]] = {
    "posts": POST_FIELDS,
    "case_studies": CASE_STUDY_FIELDS,
    "episodes": EPISODE_FIELDS,
    "pages": PAGE_FIELDS,
}


def metadata_names() -> frozenset[str]:
    """Every metadata name the content model knows (the body is not metadata)."""
    names = {f.name for fields in CONTENT_TYPES.values() for f in fields if f.kind != "markdown"}
    return frozenset(names) | PELICAN_METADATA | OTHER_METADATA


def enums() -> dict[str, tuple[str, ...]]:
    """Fields with a fixed set of values (the same in every content type that has them)."""
    return {
        f.name: f.options
        for fields in CONTENT_TYPES.values()
        for f in fields
        if f.kind == "select" and f.options
    }


def required_names(fields: tuple[Field, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in fields if f.required)
