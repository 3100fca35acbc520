"""Which files under a folder really lie inside it: symlinks that leave it, loop or
dangle are refused (pure functions; the Pelican glue is in guard.py)."""

from __future__ import annotations

import errno
import os
import stat

FIX_OUTSIDE = "leaves {folder}; copy the file into {folder} instead of linking to it"
FIX_LOOP = "a symbolic link loop; delete the link"
FIX_DANGLING = "a symbolic link to nothing; delete it or restore its target"
FIX_SPECIAL = "not a regular file (a named pipe or a device); delete it"


def _inside(root_real: str, path_real: str) -> bool:
    return path_real == root_real or path_real.startswith(root_real.rstrip(os.sep) + os.sep)


class Containment:
    """Answers, for paths relative to one root folder, whether reading them stays inside.

    A refusal is (relative path of the offending link, field, value, fix); each link is
    judged once, however many files lie behind it.
    """

    def __init__(self, root: str, folder_name: str = "content/") -> None:
        self.root = os.path.abspath(root)
        self.root_real = os.path.realpath(root)
        self.folder_name = folder_name
        self._verdicts: dict[str, tuple[str, str, str, str] | None] = {}

    def _judge_link(self, rel: str) -> tuple[str, str, str, str] | None:
        if rel in self._verdicts:
            return self._verdicts[rel]
        full = os.path.join(self.root, rel)
        verdict = None
        target = os.readlink(full)
        try:
            os.stat(full)
        except OSError as exc:
            fix = FIX_LOOP if exc.errno == errno.ELOOP else FIX_DANGLING
            verdict = (rel, "symlink", target, fix)
        else:
            real = os.path.realpath(full)
            parent_real = os.path.realpath(os.path.dirname(full))
            if not _inside(self.root_real, real):
                verdict = (rel, "symlink", target, FIX_OUTSIDE.format(folder=self.folder_name))
            elif os.path.isdir(real) and _inside(real, parent_real):
                # a folder linked into itself or below: walking it never ends
                verdict = (rel, "symlink", target, FIX_LOOP)
        self._verdicts[rel] = verdict
        return verdict

    def refusal(self, rel: str) -> tuple[str, str, str, str] | None:
        """Why rel (relative to the root) must not be read, or None when it may."""
        parts = os.path.normpath(rel).split(os.sep)
        if ".." in parts or os.path.isabs(rel):
            return (rel, "path", rel, FIX_OUTSIDE.format(folder=self.folder_name))
        for end in range(1, len(parts) + 1):
            prefix = os.path.join(*parts[:end])
            if os.path.islink(os.path.join(self.root, prefix)):
                verdict = self._judge_link(prefix)
                if verdict is not None:
                    return verdict
        try:
            mode = os.stat(os.path.join(self.root, rel)).st_mode
        except OSError:
            return None  # gone meanwhile: the reader reports it
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            # a named pipe or a device: reading it would wait for ever or never end
            return (rel, "file", rel, FIX_SPECIAL)
        return None

    def unsafe_folders(self, below: str = "") -> list[str]:
        """Symlinked folders below `below` (relative) that must not be walked into, found
        without following any link."""
        unsafe = []
        start = os.path.join(self.root, below) if below else self.root
        for dirpath, dirs, files in os.walk(start, followlinks=False):
            for name in dirs + files:
                full = os.path.join(dirpath, name)
                if os.path.islink(full):
                    rel = os.path.relpath(full, self.root)
                    if self._judge_link(rel) is not None:
                        unsafe.append(rel)
        return unsafe
