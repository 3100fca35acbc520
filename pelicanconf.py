"""Development settings for the Resonanz demo site (production overrides: publishconf.py)."""

import logging
import os
import sys

AUTHOR = "Resonanz-Redaktion"
SITENAME = "Resonanz"
SITESUBTITLE = "Die Community für Kundendialog, Marken und Podcasts"
# Development: the devserver's address. Pages link relatively (RELATIVE_URLS), so output/
# also works from any other server or folder; feeds and canonical links need absolute URLs.
SITEURL = "http://127.0.0.1:8000"
RELATIVE_URLS = True
# Absolute URL for canonical links, OpenGraph and JSON-LD (page links may be relative).
CANONICAL_SITEURL = SITEURL

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"
# No date from the file system: a fresh clone would change every "updated" date and the
# same content would no longer give the same bytes. A post without a date is an error.
DEFAULT_DATE = None
# A post dated in the future is scheduled: left out (built as an unlisted draft) until its
# date; the CI workflows build daily so that it appears (docs/fehler.md).
WITH_FUTURE_DATES = False
DEFAULT_PAGINATION = 8
# Pelican's cache folder (also holds the search index fingerprints); .cache/ is not committed.
CACHE_PATH = ".cache/pelican"
# Pelican's content cache: a file whose content hash is unchanged is not read again (md5
# rather than mtime, so that a fresh CI checkout with the cache restored still hits it).
# resonanz_fastbuild drops it when the settings change (Pelican itself would not).
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "md5"
# Uncompressed: gzip took a tenth of a second of every build after an edit at 2,000 posts
# (6 MiB instead of 0.5 MiB in .cache/).
GZIP_CACHE = False
SUMMARY_MAX_LENGTH = 40

ARTICLE_PATHS = ["posts", "case-studies"]
# A post without a category goes to "Allgemein", not to one named after its folder ("posts").
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "Allgemein"
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra"]
# Images are copied only when the copy in output/ is older (audio: see PODCAST_MEDIA_LINK).
STATIC_CHECK_IF_MODIFIED = True
EXTRA_PATH_METADATA = {"extra/favicon.ico": {"path": "favicon.ico"}}
# Everything else under content/ belongs to plugins (episodes, responses, data).
IGNORE_FILES = ["**/.*", ".#*", "*.yaml", "*.yml", "*.json", "*.vtt", "*.srt", "*.txt", "README*"]

# Slugs: German transliteration (Markenführung -> markenfuehrung), not unidecode's "markenfuhrung".
SLUGIFY_USE_UNICODE = True
_GERMAN_SLUGS = [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")]
_SLUG_RULES = [
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
]
SLUG_REGEX_SUBSTITUTIONS = _GERMAN_SLUGS + _SLUG_RULES
CATEGORY_REGEX_SUBSTITUTIONS = SLUG_REGEX_SUBSTITUTIONS
TAG_REGEX_SUBSTITUTIONS = SLUG_REGEX_SUBSTITUTIONS
AUTHOR_REGEX_SUBSTITUTIONS = SLUG_REGEX_SUBSTITUTIONS

# URLs: German words, one folder per page, pagination as .../page/N/ (DESIGN principle 8).
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
ARTICLE_LANG_URL = "{lang}/{date:%Y}/{date:%m}/{slug}/"
ARTICLE_LANG_SAVE_AS = ARTICLE_LANG_URL + "index.html"
DRAFT_URL = "entwuerfe/{slug}/"
DRAFT_SAVE_AS = DRAFT_URL + "index.html"
DRAFT_LANG_URL = "entwuerfe/{lang}/{slug}/"
DRAFT_LANG_SAVE_AS = DRAFT_LANG_URL + "index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = PAGE_LANG_URL + "index.html"
CATEGORY_URL = "kategorie/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
CATEGORIES_SAVE_AS = "kategorie/index.html"
CATEGORIES_URL = "kategorie/"
TAG_URL = "schlagwort/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_SAVE_AS = "schlagwort/index.html"
TAGS_URL = "schlagwort/"
AUTHOR_URL = "autor/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
AUTHORS_SAVE_AS = "autor/index.html"
AUTHORS_URL = "autor/"
ARCHIVES_SAVE_AS = "archiv/index.html"
ARCHIVES_URL = "archiv/"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
YEAR_ARCHIVE_URL = "{date:%Y}/"
MONTH_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
MONTH_ARCHIVE_URL = "{date:%Y}/{date:%m}/"
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
DIRECT_TEMPLATES = ["index", "categories", "authors", "archives", "tags", "404", "robots"]
ROBOTS_SAVE_AS = "robots.txt"
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None}
# 404.html sits at the root where static hosts (Netlify, GitHub Pages, nginx) look for it.
globals()["404_SAVE_AS"] = "404.html"  # not a valid Python name, but a valid setting

# Reader feeds: Atom and RSS for everything, per category, per tag and per author.
FEED_DOMAIN = CANONICAL_SITEURL  # feeds need absolute links even when pages are relative
FEED_ALL_ATOM = "feeds/alle.atom.xml"
FEED_ALL_RSS = "feeds/alle.rss.xml"
FEED_ATOM = None
FEED_RSS = None
CATEGORY_FEED_ATOM = "feeds/kategorie/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/kategorie/{slug}.rss.xml"
TAG_FEED_ATOM = "feeds/schlagwort/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/schlagwort/{slug}.rss.xml"
AUTHOR_FEED_ATOM = "feeds/autor/{slug}.atom.xml"
AUTHOR_FEED_RSS = "feeds/autor/{slug}.rss.xml"
TRANSLATION_FEED_ATOM = "feeds/alle-{lang}.atom.xml"
TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 30
RSS_FEED_SUMMARY_ONLY = False

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {"permalink": False},
    },
    "output_format": "html5",
}

# Posts may carry their metadata as YAML front matter or as Markdown "Key: value" lines.
# The YAML plugin notes every file of the second kind at INFO level ("falling back to
# Markdown metadata parsing"): with `pelican -v` one line per post, 551 of 614 lines at
# 500 posts, and formatting them cost a verbose build a tenth of a second. Shown with -D.
LOG_FILTER = [
    (logging.INFO, "No YAML metadata header found in '%s' - falling back to Markdown "
                   "metadata parsing."),
]

PLUGIN_PATHS = ["plugins"]
# Our plugins import each other by name (resonanz_core uses resonanz_fastbuild's compat
# module, also when the fast build is not in PLUGINS): plugins/ on the import path.
_PLUGINS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins")
if _PLUGINS_DIR not in sys.path:
    sys.path.append(_PLUGINS_DIR)
PLUGINS = [
    "resonanz_core",
    "resonanz_podcast",
    "resonanz_responses",
    "resonanz_linkbacks",
    "resonanz_embeds",
    "pelican.plugins.yaml_metadata",
    "pelican.plugins.neighbors",
    "pelican.plugins.series",
    "resonanz_case_studies",
    "resonanz_related",
    "resonanz_search",
    "resonanz_cms",
    "resonanz_images",
]
# The fast build (workers, shared feed entries, skipped unchanged builds): the same site
# without it, slower. RESONANZ_FASTBUILD=0 builds with Pelican's own code paths.
if os.environ.get("RESONANZ_FASTBUILD", "1") not in ("0", "false", "no"):
    PLUGINS.append("resonanz_fastbuild")

# --- resonanz_core ------------------------------------------------------------
# Strict mode: every content warning fails the build, all of them listed.
RESONANZ_STRICT = os.environ.get("RESONANZ_STRICT", "") not in ("", "0", "false", "no")
RESONANZ_STYLESHEETS = [
    "site.css",
    "podcast.css",
    "embeds.css",
    "search.css",
]
RESONANZ_SCRIPTS = ["embeds.js"]
RESONANZ_LOGO = "images/logo.png"
RESONANZ_PUBLISHER = "Resonanz Community e. V."
RESONANZ_EXTRA_METADATA = []
RESONANZ_SITEMAP = True
RESONANZ_MENU = [
    ("Blog", "archiv/"),
    ("Podcast", "episoden/"),
    ("Fallstudien", "fallstudien/"),
    ("Kategorien", "kategorie/"),
    ("Über uns", "ueber-uns/"),
]
RESONANZ_FOOTER_LINKS = [("Impressum", "impressum/"), ("Datenschutz", "datenschutz/")]


# --- podcast (every PODCAST_* setting with its default: docs/settings.md) ---
PODCAST_TITLE = "Resonanz – der Podcast"
PODCAST_SUBTITLE = "Kundendialog, Community und Marken"
PODCAST_DESCRIPTION = (
    "Der Podcast der Resonanz-Community: wie Marken zuhören, antworten "
    "und Communities aufbauen. Alle zwei Wochen."
)
PODCAST_AUTHOR = "Lena Hoffmann, Jonas Weber, Aylin Demir"
PODCAST_OWNER_NAME = "Resonanz-Redaktion"
PODCAST_OWNER_EMAIL = "podcast@resonanz.example"
PODCAST_IMAGE = "images/podcast/cover.jpg"
PODCAST_CATEGORIES = [("Business", "Marketing")]
PODCAST_EXPLICIT = False
PODCAST_TYPE = "episodic"
PODCAST_LOCKED = True
# podcast:guid = UUIDv5 of "resonanz.example/feeds/podcast.xml"; never change it, the
# episode GUIDs are derived from it.
PODCAST_GUID = "cafe7645-dde6-5e3d-ae87-b30e7be64d6f"
PODCAST_FUNDING = [("https://resonanz.example/ueber-uns/", "Resonanz unterstützen")]
PODCAST_LICENSE = "cc-by-4.0"
PODCAST_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
PODCAST_PERSONS = [{"name": "Lena Hoffmann", "role": "host"}]
PODCAST_MEDIA_URL = ""
PODCAST_FEED_PAGE_SIZE = 300
PODCAST_ON_HOME = True
PODCAST_IN_READER_FEEDS = False
PODCAST_SUBSCRIBE_LINKS = []

# --- responses (every RESPONSES_* setting with its default: README, "Responses") ---
RESPONSES_PROVIDER = "none"
RESPONSES_PULL_STATUS = "pending"
RESPONSES_CLOSE_AFTER_DAYS = 0
# Our receiver (comments form, TrackBack URL): `make devserver` starts one on 127.0.0.1 and
# sets RESONANZ_RECEIVER_URL; empty = no form, no TrackBack URL (docs/betrieb-kommentare.md).
RESPONSES_RECEIVER_URL = os.environ.get("RESONANZ_RECEIVER_URL", "")
# Endpoints of the receiver (make receiver); empty in development: nothing advertised.
RESPONSES_TRACKBACK_URL = ""
RESPONSES_WEBMENTION_ENDPOINT = ""
RESPONSES_PINGBACK_ENDPOINT = ""
# linkbacks_send: never sends from `make html`; publishconf.py turns it on.
LINKBACKS_SEND = False

# --- embeds (every EMBEDS_* setting with its default: README, "Embeds and sharing") ---
EMBEDS_FETCH_PREVIEWS = False  # True = the build downloads missing video previews (network)
EMBEDS_SHARE_SERVICES = [
    "email", "copy", "mastodon", "bluesky", "linkedin", "x", "facebook", "whatsapp",
]
EMBEDS_PLAYER_URL = "episoden/{slug}/embed/"
EMBEDS_PLAYER_SAVE_AS = "episoden/{slug}/embed/index.html"
EMBEDS_OEMBED_URL = "episoden/{slug}/oembed.json"
EMBEDS_OEMBED_SAVE_AS = "episoden/{slug}/oembed.json"
EMBEDS_HEADERS_SAVE_AS = "_headers"

# --- resonanz_cms (the browser CMS at /admin/; every CMS_* setting: docs/betrieb-cms.md) ---
# The preview shows case studies too (stylesheets of one kind of page are linked only there).
CMS_PREVIEW_STYLESHEETS = [*RESONANZ_STYLESHEETS, "case-studies.css", "related.css"]
# Development: /admin/ opened on 127.0.0.1 talks to the local proxy of `make cms`.
CMS_LOCAL_BACKEND = f"http://127.0.0.1:{os.environ.get('RESONANZ_CMS_PORT', '8081')}/api/v1"

# --- resonanz_images (teaser images in lists and on posts; docs/redaktion-stil.md) ---
IMAGES_WIDTHS = [320, 480, 720, 1080]
IMAGES_OUTPUT_DIR = "images/v"
IMAGES_CACHE_PATH = ".cache/images"
