"""Production settings: absolute URLs, strict builds; imports everything from pelicanconf.py."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403  (Pelican's documented pattern for publishconf)

SITEURL = os.environ.get("RESONANZ_SITEURL", "https://resonanz.example")
CANONICAL_SITEURL = SITEURL
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
# CI publishes only strict builds: every content warning is an error.
RESONANZ_STRICT = True
