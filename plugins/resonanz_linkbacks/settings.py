"""Defaults of the linkbacks_send plugin; every key is documented in docs/settings.md."""

DEFAULTS: dict = {
    # Send at all. Only publishconf.py sets this True, so `make html` never sends.
    "LINKBACKS_SEND": False,
    # JSON record of what was sent (relative to the project folder); cache it in CI.
    "LINKBACKS_RECORD": ".cache/linkbacks-sent.json",
    # Seconds for each request (fetching the target, sending the notification).
    "LINKBACKS_TIMEOUT": 10,
    # Most bytes read from a target page when looking for its endpoints.
    "LINKBACKS_MAX_BYTES": 1024 * 1024,
    # Targets whose URL matches one of these regular expressions are never notified.
    "LINKBACKS_IGNORE": [],
    # User-Agent of every request.
    "LINKBACKS_USER_AGENT": "Resonanz-Linkbacks/1.0",
}
