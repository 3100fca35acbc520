"""Defaults of the resonanz_core plugin; every key is documented in the README."""

DEFAULTS: dict = {
    # Fail the build at the end when any warning or error about content was logged.
    "RESONANZ_STRICT": False,
    # Stylesheets under theme/static/css/ linked from every page, in this order.
    "RESONANZ_STYLESHEETS": ["site.css"],
    # Scripts under theme/static/js/ loaded with defer on every page.
    "RESONANZ_SCRIPTS": [],
    # Site logo (path in output), used for JSON-LD publisher and the header.
    "RESONANZ_LOGO": "",
    # Organisation named as publisher in JSON-LD.
    "RESONANZ_PUBLISHER": "",
    # Metadata fields that plugins or editors add beyond the known ones.
    "RESONANZ_EXTRA_METADATA": [],
    # Redirect pages and _redirects written by `python -m resonanz import`, relative to the
    # project root (PATH's parent); copied into the output, never over a built page.
    "RESONANZ_REDIRECTS_DIR": "redirects",
    # Processes that read and render (0: the usable cores, at most 4; 1: no workers).
    "RESONANZ_JOBS": 0,
    # Stop a build at once when its inputs and output are those of the last clean build.
    "RESONANZ_SKIP_UNCHANGED": True,
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

# Pelican's own metadata, the content model in DESIGN.md and what the bundled
# pelican-plugins read. Anything else is reported as an unknown field (typos).
KNOWN_METADATA = frozenset(
    """
    title date modified category tags tag author authors slug summary lang translation
    status template save_as url keywords description og_image
    comments linkbacks image image_alt series series_index
    brand industry year channel challenge outcome sources related
    number season episode_type explicit audio guests chapters transcript cover guid block
    old_url reader resonanz_notes
    """.split()
)

ENUMS = {
    "comments": ("open", "closed", "hidden"),
    "linkbacks": ("on", "off"),
    "status": ("published", "draft", "hidden", "skip"),
}
