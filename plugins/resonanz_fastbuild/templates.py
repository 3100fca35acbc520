"""Compiled templates shared by the generators' environments, compiled by a worker.

Pelican gives every generator a Jinja environment of its own, and each compiles
base.html and the partials again (a tenth of a cold build's time at 500 posts); worker
processes start with what the build process compiled, and the first reading worker
compiles the theme while the build process starts reading. A clean build leaves what
was compiled in the cache folder for the next one (a build after a small edit would
otherwise spend a few hundred milliseconds compiling the theme again).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from jinja2 import BytecodeCache

DISK_NAME = "resonanz-templates.pickle"


class SharedBytecode(BytecodeCache):
    """Compiled templates shared by the environments of a process.

    Jinja checks each entry against the template's source; entries are kept apart by
    the options that change what a template compiles to.
    """

    def __init__(self) -> None:
        self.store: dict[tuple, bytes] = {}
        # compiled since the cache folder's copy was read or written (a template edited
        # keeps its key: its new bytecode takes the old one's place)
        self.changed = False

    def load_from(self, cache: Path) -> None:
        """What earlier builds compiled (Jinja checks each entry against the template's
        source and Python's version)."""
        try:
            with open(cache / DISK_NAME, "rb") as file:
                stored = pickle.load(file)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            return
        if isinstance(stored, dict):
            for key, data in stored.items():
                self.store.setdefault(key, data)

    def save_to(self, cache: Path) -> None:
        """Keep the compiled templates for the next build, when any was compiled."""
        if not self.changed:
            return
        cache.mkdir(parents=True, exist_ok=True)
        temporary = cache / (DISK_NAME + ".tmp")
        with open(temporary, "wb") as file:
            pickle.dump(self.store, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, cache / DISK_NAME)
        self.changed = False

    @staticmethod
    def _options(environment) -> tuple:
        return (
            environment.block_start_string, environment.block_end_string,
            environment.variable_start_string, environment.variable_end_string,
            environment.comment_start_string, environment.comment_end_string,
            environment.line_statement_prefix, environment.line_comment_prefix,
            environment.trim_blocks, environment.lstrip_blocks,
            environment.newline_sequence, environment.keep_trailing_newline,
            environment.autoescape if isinstance(environment.autoescape, bool) else id(
                environment.autoescape),
            environment.optimized, environment.is_async,
            tuple(sorted(environment.extensions)),
        )

    def load_bytecode(self, bucket) -> None:
        data = self.store.get((self._options(bucket.environment), bucket.key))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        self.store[(self._options(bucket.environment), bucket.key)] = (
            bucket.bytecode_to_string())
        self.changed = True


BYTECODE = SharedBytecode()


def speed_up(env) -> None:
    """Set up a generator's environment: shared bytecode, no stat per include."""
    # Every build makes new generators with a new environment, so a template never
    # changes while one is in use; Jinja would otherwise stat the template file on every
    # include (tens of thousands of stats per build).
    env.auto_reload = False
    if env.bytecode_cache is None:
        env.bytecode_cache = BYTECODE


def compile_theme(generator) -> dict:
    """In the first reading worker: compile the theme's templates (a few hundred
    milliseconds of a cold build, otherwise spent by the build process alone) and send
    the bytecode back. A template that does not compile is left to the build process,
    which reports it when it is used."""
    env = getattr(generator, "env", None)
    folder = os.path.join(generator.settings.get("THEME", ""), "templates")
    if env is None or env.bytecode_cache is not BYTECODE or not os.path.isdir(folder):
        return {}
    before = set(BYTECODE.store)
    for root, _dirs, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith(".html"):
                template = os.path.relpath(os.path.join(root, name), folder)
                try:
                    env.get_template(template.replace(os.sep, "/"))
                except Exception:  # noqa: BLE001, S112 - reported when it is used
                    continue
    return {key: data for key, data in BYTECODE.store.items() if key not in before}


def install_compiled(compiled: dict) -> None:
    for key, data in compiled.items():
        if key not in BYTECODE.store:
            BYTECODE.store[key] = data
            BYTECODE.changed = True
