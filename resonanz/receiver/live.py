"""The live loop: approved responses go into a git checkout of the site, are committed
(only content/responses/...) and pushed, so CI publishes them.

Crash safety comes from the database, not from git: a response counts as done only when
its push succeeded (`pushed`). Every run writes all approved-but-unpushed responses again
(the export skips ids already in a file), commits what changed and pushes whatever the
checkout has that the remote lacks. A process killed anywhere in between repeats the run
after its restart and loses nothing.
"""

from __future__ import annotations

import fcntl
import logging
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .comment_store import CommentStore
from .config import ReceiverConfig
from .export import append_entries, remove_entries, response_entry
from .site_targets import SiteTargets, TargetsUnavailable
from .store import Mention, Store
from .targets import TargetError, article_slug

logger = logging.getLogger(__name__)

PUSH_ATTEMPTS = 5


class GitError(RuntimeError):
    """A git command failed; the message has the command and git's own words."""


@dataclass
class PublishReport:
    files: list[str] = field(default_factory=list)
    pushed_ids: list[int] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    commit: str = ""
    skipped: list[str] = field(default_factory=list)


class Publisher:
    def __init__(self, store: Store, config: ReceiverConfig) -> None:
        self.store = CommentStore(store)
        self.config = config
        self.checkout = Path(config.git_checkout)
        self.responses = Path(config.git_content) / "responses"
        self._lock = threading.Lock()
        self._started = False
        self.targets = SiteTargets(config.targets_source, config.site_url)

    def responses_file(self, target: str) -> Path:
        """The file the build reads the target's responses from, as its targets list says
        (a page and a post with the same slug have different files); else <slug>.yaml."""
        try:
            entry = self.targets.find(target)
        except (TargetError, TargetsUnavailable):
            entry = None
        named = Path(str((entry or {}).get("responses") or ""))
        if named.parts and named.suffix == ".yaml" and ".." not in named.parts:
            if named.parts[0] == self.responses.name and not named.is_absolute():
                return Path(self.config.git_content) / named
        return self.responses / f"{article_slug(target, self.config.site_url)}.yaml"

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        name, _, email = self.config.git_author.partition("<")
        command = [
            "git",
            "-c",
            f"user.name={name.strip()}",
            "-c",
            f"user.email={email.rstrip('>').strip()}",
            *args,
        ]
        result = subprocess.run(
            command, cwd=self.checkout, capture_output=True, text=True, timeout=300
        )
        if check and result.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {(result.stderr or result.stdout).strip()}")
        return result

    def _clear_stale_lock(self) -> None:
        # this process is the only user of the checkout: a lock found at start was left by a
        # git command killed with us
        lock = self.checkout / ".git" / "index.lock"
        if lock.exists():
            logger.warning("receiver: removing stale %s (left by a killed git)", lock)
            lock.unlink()
        for state in ("rebase-merge", "rebase-apply"):
            if (self.checkout / ".git" / state).exists():
                self.git("rebase", "--abort", check=False)

    def _write(self, mentions: list[Mention], removals: list[tuple[str, str]]) -> PublishReport:
        report = PublishReport()
        by_file: dict[Path, list[Mention]] = defaultdict(list)
        for mention in mentions:
            try:
                by_file[self.responses_file(mention.target)].append(mention)
            except TargetError as exc:
                report.skipped.append(f"mention {mention.id}: {exc}")
        for relative, items in sorted(by_file.items()):
            append_entries(self.checkout / relative, [response_entry(m) for m in items])
            report.files.append(relative.as_posix())
            report.pushed_ids.extend(m.id for m in items)
        self.store.store.mark_exported([m.id for m in mentions])
        for response, target in removals:
            try:
                relative = self.responses_file(target)
            except TargetError:
                continue
            remove_entries(self.checkout / relative, {response})
            report.files.append(relative.as_posix())
            report.removed.append(response)
        return report

    def _commit(self, report: PublishReport) -> None:
        self.git("add", "--", self.responses.as_posix())
        staged = self.git(
            "diff", "--cached", "--quiet", "--", self.responses.as_posix(), check=False
        )
        if staged.returncode == 0:
            return  # written before a crash and committed then, or nothing new
        added = len(report.pushed_ids)
        pages = sorted({Path(f).stem for f in report.files})
        subject = f"responses: {added} approved" + (
            f", {len(report.removed)} removed on request" if report.removed else ""
        )
        body = "Pages: " + ", ".join(pages) + "\n\nWritten by the Resonanz receiver (live loop)."
        self.git("commit", "-m", subject, "-m", body, "--", self.responses.as_posix())

    def _sync(self) -> None:
        """Put the checkout on the remote branch; unpushed work is rebuilt from the DB."""
        remote, branch = self.config.git_remote, self.config.git_branch
        self.git("fetch", remote, branch)
        if self.git("rebase", "FETCH_HEAD", check=False).returncode != 0:
            self.git("rebase", "--abort", check=False)
            self.git("reset", "--hard", "FETCH_HEAD")

    def publish_pending(self) -> PublishReport:
        """One run of the loop; GitError if the push fails PUSH_ATTEMPTS times."""
        # a thread lock for this process, a file lock for `serve` and the CLI side by side
        with self._lock, (self.checkout / ".git" / "resonanz-live.lock").open("a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            return self._publish_locked()

    def _publish_locked(self) -> PublishReport:
        if not self._started:
            self._clear_stale_lock()
            self._started = True
        mentions, removals = self.store.unpushed(), self.store.pending_removals()
        if not mentions and not removals:
            return PublishReport()
        self._sync()
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            report = self._write(mentions, removals)
            self._commit(report)
            pushed = self.git(
                "push", self.config.git_remote, f"HEAD:{self.config.git_branch}", check=False
            )
            if pushed.returncode == 0:
                report.commit = self.git("rev-parse", "HEAD").stdout.strip()
                self.store.mark_pushed([m.id for m in mentions], [r for r, _target in removals])
                logger.info(
                    "receiver: pushed %s (%d response(s), %d removal(s))",
                    report.commit[:10],
                    len(mentions),
                    len(removals),
                )
                return report
            logger.warning(
                "receiver: push refused (attempt %d): %s", attempt, pushed.stderr.strip()
            )
            # someone pushed meanwhile: fetch, rebase our commit, try again
            self._sync()
        raise GitError(f"git push refused {PUSH_ATTEMPTS} times: {pushed.stderr.strip()}")

    def run(self, stop: threading.Event, wake: threading.Event) -> None:
        """Thread body: publish at start (what a crash left), then after each quiet spell."""
        wake.set()
        while not stop.is_set():
            if not wake.wait(1.0):
                continue
            # approvals close together go into one commit: wait until none came for a while
            first = time.monotonic()
            while not stop.is_set():
                wake.clear()
                if wake.wait(self.config.git_batch_seconds) and (
                    time.monotonic() - first < 5 * self.config.git_batch_seconds
                ):
                    continue
                break
            wake.clear()
            try:
                self.publish_pending()
            except (GitError, OSError, ValueError, subprocess.SubprocessError) as exc:
                logger.error("receiver: live loop: %s; trying again in a minute", exc)
                stop.wait(60)
                wake.set()
