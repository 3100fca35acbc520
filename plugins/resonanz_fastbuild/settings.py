"""Defaults of the resonanz_fastbuild plugin; every key is documented in
docs/settings.md."""

DEFAULTS: dict = {
    # Processes that read and render (0: the usable cores, at most 4; 1: no workers).
    "RESONANZ_JOBS": 0,
    # Stop a build at once when its inputs and output are those of the last clean build.
    "RESONANZ_SKIP_UNCHANGED": True,
}
