"""The fast build's state for one build, kept on the Pelican instance.

Everything the fast build remembers between signals of one build lives here: the
writer (Pelican does not hand it out), the content whose URLs are frozen before
writing, the generators already prefetched. Several of Pelican's signals do not carry
the Pelican instance (readers_init, generator_init, the preread signals,
all_generators_finalized), so the running build's session is also reachable through
`running()`, set when the build starts and cleared when its writer is flushed or the
next build starts. One build runs at a time in a process.
"""

from __future__ import annotations

ATTRIBUTE = "resonanz_fastbuild"  # the session's name on the Pelican instance


class BuildSession:
    def __init__(self, pelican) -> None:
        self.pelican = pelican
        # the dependency record's plan for the next run (uptodate.py decides it)
        self.next_plan = None
        self.start()

    def start(self) -> None:
        """A run begins (autoreload runs the same Pelican again)."""
        self.writer = None  # the ParallelWriter of this run, once Pelican made it
        self.to_freeze: list = []
        self.generators: list = []  # the generators, once all_generators_finalized came
        self.prefetched: set[int] = set()  # ids of generators whose files were read
        # moments the output changes with no file changing (uptodate.output_changes_at)
        self.changes_at: list = []
        # hooks.alongside jobs given before the writer renders them: (job, done)
        self.alongside: list[tuple] = []
        # outputs.Plan of this run: which pages to replay, what the rendered ones used
        self.plan, self.next_plan = self.next_plan, None

    def records_pages(self) -> bool:
        """Whether this run notes what each page uses (the writer records it, the
        templates are watched): not in the first build of a checkout (outputs.Plan)."""
        return self.plan is not None and self.plan.pages


class _Running:
    session: BuildSession | None = None


def begin(session: BuildSession | None) -> None:
    """A build starts: `session` is its fast-build session (None: the plugin is off)."""
    _Running.session = session


def running() -> BuildSession | None:
    return _Running.session


def of(pelican) -> BuildSession | None:
    return getattr(pelican, ATTRIBUTE, None)
