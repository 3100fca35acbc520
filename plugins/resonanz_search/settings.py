"""Defaults of the search plugin; every key is documented in docs/settings.md."""

DEFAULTS: dict = {
    # Build the Pagefind index at the end of every build (make html, publish, devserver).
    "SEARCH_INDEX": True,
    # The search page.
    "SEARCH_URL": "suche/",
    "SEARCH_SAVE_AS": "suche/index.html",
    # Folder in the output for Pagefind's bundle (index, pagefind.js, pagefind-ui.js/css).
    "SEARCH_BUNDLE_DIR": "pagefind",
    # Path of the pagefind binary; empty: the one from the pagefind[extended] (or [bin])
    # Python package, else `pagefind_extended` or `pagefind` on PATH.
    "SEARCH_PAGEFIND_BINARY": "",
    # Extra command-line arguments for pagefind, e.g. ["--exclude-selectors", ".ad"].
    "SEARCH_PAGEFIND_ARGS": [],
    # Seconds before a pagefind run is given up.
    "SEARCH_TIMEOUT": 300,
    # Most changed plus removed pages since the last full index that a small delta index
    # takes; more: a full index. None: max(50, 5 % of the pages); 0: always a full index.
    "SEARCH_DELTA_MAX": None,
}
