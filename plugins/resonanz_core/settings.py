"""Defaults of the resonanz_core plugin; every key is documented in docs/settings.md."""

from . import fields

DEFAULTS: dict = {
    # Fail the build at the end when any warning or error about content was logged.
    "RESONANZ_STRICT": False,
    # Stylesheets under theme/static/css/ linked from every page, in this order.
    "RESONANZ_STYLESHEETS": ["site.css"],
    # Scripts under theme/static/js/ loaded with defer on every page.
    "RESONANZ_SCRIPTS": [],
    # Minify the theme's CSS and JS in the output (theme/static/ keeps the readable source).
    "RESONANZ_MINIFY": True,
    # Site logo (path in output), used for JSON-LD publisher and the header.
    "RESONANZ_LOGO": "",
    # Organisation named as publisher in JSON-LD.
    "RESONANZ_PUBLISHER": "",
    # Metadata fields that plugins or editors add beyond the known ones.
    "RESONANZ_EXTRA_METADATA": [],
    # Redirect pages and _redirects written by `python -m resonanz import`, relative to the
    # project root (PATH's parent); copied into the output, never over a built page.
    "RESONANZ_REDIRECTS_DIR": "redirects",
    # RESONANZ_JOBS and RESONANZ_SKIP_UNCHANGED: resonanz_fastbuild/settings.py
    # Write sitemap.xml.
    "RESONANZ_SITEMAP": True,
    # Main navigation: (label, url relative to SITEURL).
    "RESONANZ_MENU": [],
    # Footer links: (label, url relative to SITEURL).
    "RESONANZ_FOOTER_LINKS": [],
    # A post or page larger than this (bytes) is left out with a message.
    "RESONANZ_MAX_SOURCE_BYTES": 1_000_000,
    # Lists and quotes nested deeper than this are left out with a message (Markdown's
    # work grows with the square of the depth: 1,000 levels took 37 s).
    "RESONANZ_MAX_NESTING": 20,
}

# Every metadata name of the content model (fields.py), and the notes the input guard
# keeps with cached content (guard.NOTES, never written by people); anything else is
# reported as an unknown field (typos).
KNOWN_METADATA = fields.metadata_names() | {"resonanz_notes"}

ENUMS = {
    **fields.enums(),
    "status": ("published", "draft", "hidden", "skip"),
}
