"""Defaults of the responses plugin; every key is documented in the README."""

DEFAULTS: dict = {
    # Folder under content/ with one YAML file per article slug.
    "RESPONSES_PATH": "responses",
    # Status given to mentions added by `make responses` (pending or approved).
    "RESPONSES_PULL_STATUS": "pending",
    # webmention.io API read by `make responses` (token from env WEBMENTION_IO_TOKEN).
    "RESPONSES_PULL_API": "https://webmention.io/api/mentions.jf2",
    # File (relative to content/) remembering the newest mention pulled, for `since_id`.
    "RESPONSES_PULL_STATE": "responses/.webmention-io.json",
    # Longest response body kept, in characters of the source; the rest is cut off.
    "RESPONSES_MAX_LENGTH": 10000,
    # Length of the excerpt shown for trackbacks, pingbacks and webmentions.
    "RESPONSES_EXCERPT_LENGTH": 280,
    # Responses from these domains (and their subdomains) are never shown.
    "RESPONSES_BLOCKED_DOMAINS": [],
    # Responses by these authors (case-insensitive) are never shown.
    "RESPONSES_BLOCKED_AUTHORS": [],
    # Default of the article field `comments` (open, closed or hidden).
    "RESPONSES_COMMENTS_DEFAULT": "open",
    # Close comments this many days after the article date; 0 keeps them open.
    "RESPONSES_CLOSE_AFTER_DAYS": 0,
    # Replies deeper than this are shown at this depth.
    "RESPONSES_MAX_DEPTH": 4,
    # Live comment widget: none, isso, remark42, giscus, comentario or disqus.
    "RESPONSES_PROVIDER": "none",
    # Base URL of a self-hosted provider (isso, remark42, comentario).
    "RESPONSES_PROVIDER_URL": "",
    # Provider options: remark42 site_id; giscus repo, repo_id, category, category_id,
    # mapping, theme, lang; disqus shortname.
    "RESPONSES_PROVIDER_OPTIONS": {},
    # Endpoints announced in every page head: <link rel="webmention"> and rel="pingback".
    "RESPONSES_WEBMENTION_ENDPOINT": "",
    "RESPONSES_PINGBACK_ENDPOINT": "",
    # TrackBack URL of an article, with {slug} and {url}; empty hides the TrackBack URL.
    "RESPONSES_TRACKBACK_URL": "",
    # Atom feeds of comments: site-wide and per article ({slug}); empty disables one.
    "RESPONSES_FEED_ATOM": "feeds/kommentare.atom.xml",
    "RESPONSES_ARTICLE_FEED_ATOM": "feeds/kommentare/{slug}.atom.xml",
    # Most recent entries in the site-wide comments feed.
    "RESPONSES_FEED_MAX_ITEMS": 50,
    # Comments per page (whole threads; replies count): more go to <post>/kommentare/2/...
    "RESPONSES_PER_PAGE": 100,
    "RESPONSES_PAGE_FOLDER": "kommentare",
}

PROVIDERS = ("none", "isso", "remark42", "giscus", "comentario", "disqus")
COMMENT_STATES = ("open", "closed", "hidden")
PULL_STATUSES = ("pending", "approved")
