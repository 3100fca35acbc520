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

# Precompressed copies for hosts that serve them (nginx gzip_static/brotli_static, Caddy).
PLUGINS = [*PLUGINS, "pelican.plugins.precompress"]  # noqa: F405
PRECOMPRESS_GZIP = True
PRECOMPRESS_BROTLI = True
PRECOMPRESS_ZOPFLI = False
PRECOMPRESS_ZSTANDARD = False
PRECOMPRESS_MIN_SIZE = 512
# Content cache with a content hash: survives CI checkouts, where every mtime is new.
CACHE_CONTENT = True
# A strict build must see every warning: a file served from the cache is not read again
# and would not repeat its warning, so production builds write the cache but never load it.
LOAD_CONTENT_CACHE = False
CHECK_MODIFIED_METHOD = "md5"
CACHE_PATH = ".cache/pelican"

# Linkbacks: advertise our receiver (make receiver) and notify the sites we link to.
RECEIVER_URL = os.environ.get("RESONANZ_RECEIVER_URL", "https://linkbacks.resonanz.example")
RESPONSES_WEBMENTION_ENDPOINT = RECEIVER_URL + "/webmention"
RESPONSES_PINGBACK_ENDPOINT = RECEIVER_URL + "/xmlrpc"
RESPONSES_TRACKBACK_URL = RECEIVER_URL + "/trackback/{slug}"
# The comment form posts to RECEIVER_URL/comments; CSP form-action/connect-src allow it.
RESPONSES_RECEIVER_URL = RECEIVER_URL
LINKBACKS_SEND = os.environ.get("RESONANZ_SEND_LINKBACKS", "") == "1"
LINKBACKS_RECORD = ".cache/linkbacks-sent.json"

# The browser CMS at /admin/: editors sign in to the git host (docs/betrieb-cms.md).
CMS_LOCAL_BACKEND = ""
CMS_BACKEND = {
    "name": os.environ.get("RESONANZ_CMS_BACKEND", "github"),
    "repo": os.environ.get("RESONANZ_CMS_REPO", "resonanz/resonanz-site"),
    "branch": os.environ.get("RESONANZ_CMS_BRANCH", "main"),
}
