"""`make bench`: build synthetic sites with Resonanz and with stock Pelican, print a table."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .bench_devserver import bench_devserver, devserver_table
from .bench_import import bench_import, import_table

ROOT = Path(__file__).resolve().parent.parent
DEMO_AUDIO = ROOT / "content" / "episodes" / "003-community-ziele.mp3"

SUBJECTS = ["Die Community", "Unser Team", "Die Marke", "Das Serviceteam", "Eine Kundin",
            "Der Moderator", "Die Redaktion", "Jede Antwort", "Ein guter Dialog", "Das Forum"]
VERBS = ["braucht", "verändert", "beschreibt", "verbessert", "beantwortet", "erklärt",
         "stärkt", "begleitet", "misst", "verbindet"]
OBJECTS = ["das Vertrauen der Kundschaft", "die Beschwerden vom Wochenende",
           "den Ton in sozialen Netzwerken", "die Fragen zur Lieferung",
           "das Feedback aus dem Forum", "die Zahlen im Quartalsbericht",
           "die Regeln für Kommentare", "die Geschichte hinter dem Produkt",
           "den Kundendialog am Telefon", "die Ideen der Mitglieder"]
TAILS = ["schneller als erwartet.", "mit viel Geduld.", "ohne großen Aufwand.",
         "über alle Kanäle hinweg.", "gerade in Krisenzeiten.", "jeden Tag aufs Neue.",
         "auch nach Jahren noch.", "mit klaren Worten.", "für alle sichtbar.",
         "Schritt für Schritt."]
CATEGORIES = ["Kundendialog", "Community-Management", "Markenführung", "Social Media",
              "Service", "Podcast-Praxis", "Datenschutz", "Fallbeispiele"]
TAGS = [f"Thema {n:02d}" for n in range(1, 41)] + ["Zuhören", "Beschwerden", "Moderation",
                                                    "Krisen", "Umfragen", "Newsletter"]
AUTHORS = ["Lena Hoffmann", "Jonas Weber", "Aylin Demir", "Mara Schulz", "Timo Krüger",
           "Ece Yıldız", "Paul Becker", "Sofia Neumann"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"


def post_text(rng: random.Random, number: int) -> str:
    title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} ({number})"
    day = 1 + number % 28
    month = 1 + (number // 28) % 12
    year = 2010 + (number // 336) % 16
    tags = ", ".join(sorted(set(rng.sample(TAGS, 3))))
    paragraphs = []
    for part in range(5):
        paragraphs.append(" ".join(sentence(rng) for _ in range(6)))
        if part == 1:
            paragraphs.append(f"## Abschnitt {part}\n\n- {sentence(rng)}\n- {sentence(rng)}")
        if part == 3:
            paragraphs.append(f"> {sentence(rng)}")
    return (
        f"Title: {title}\nDate: {year}-{month:02d}-{day:02d} {number % 24:02d}:{number % 60:02d}\n"
        f"Category: {CATEGORIES[number % len(CATEGORIES)]}\nTags: {tags}\n"
        f"Author: {AUTHORS[number % len(AUTHORS)]}\nSlug: beitrag-{number:05d}\n"
        f"Summary: {sentence(rng)}\n\n" + "\n\n".join(paragraphs) + "\n"
    )


def episode_notes(number: int) -> str:
    return (
        f"Title: Folge {number}: Gespräch über Kundendialog\nDate: 2024-01-01 08:00\n"
        f"Number: {number}\n\nShownotes zur Folge {number}.\n"
    )


def responses_yaml(rng: random.Random, slug: str, count: int) -> str:
    lines = []
    for n in range(count):
        lines += [
            f"- id: c{n}", "  type: comment", "  status: approved",
            f"  author: {rng.choice(AUTHORS)}", f'  content: "{sentence(rng)}"',
            f"  published: 2025-01-{1 + n % 28:02d}T10:00:00+01:00",
        ]
    return "\n".join(lines) + "\n"


def make_site(root: Path, posts: int, episodes: int, responses: int, seed: int = 7) -> Path:
    """A synthetic content/ folder: posts, episodes with tiny audio, response files."""
    rng = random.Random(seed)
    content = root / "content"
    (content / "posts").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "responses").mkdir()
    for number in range(posts):
        (content / "posts" / f"beitrag-{number:05d}.md").write_text(
            post_text(rng, number), encoding="utf-8")
    episode_dir = content / "episodes"
    episode_dir.mkdir()
    for number in range(1, episodes + 1):
        add_episode(content, number)
    for number in range(min(responses, posts)):
        slug = f"beitrag-{number:05d}"
        (content / "responses" / f"{slug}.yaml").write_text(
            responses_yaml(rng, slug, 3), encoding="utf-8")
    images = content / "images" / "podcast"
    images.mkdir(parents=True)
    cover = ROOT / "content" / "images" / "podcast" / "cover.jpg"
    if cover.exists():
        shutil.copy(cover, images / "cover.jpg")
    return content


def add_episode(content: Path, number: int) -> None:
    stem = content / "episodes" / f"{number:03d}-folge-{number}"
    shutil.copy(DEMO_AUDIO, stem.with_suffix(".mp3"))
    stem.with_suffix(".md").write_text(episode_notes(number), encoding="utf-8")


# `make html` logs no INFO lines; the bench's builds run with -v for the lines it reads
# (audio files read, pages replayed), but leave out the one per file written or copied
# (thousands, formatted by Pelican's Rich console: a third of a second at 2,000 posts),
# added to the filters pelicanconf.py sets (the YAML plugin's note on every post).
QUIET = """
import logging
LOG_FILTER = list(globals().get("LOG_FILTER", [])) + [
    (logging.INFO, 'Writing "%s"'), (logging.INFO, "Copying %s to %s")]
"""

RESONANZ_CONF = """
import sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa
PATH = {content!r}
THEME = {root!r} + "/theme"
PLUGIN_PATHS = [{root!r} + "/plugins"]
SITEURL = "https://bench.example"
CANONICAL_SITEURL = SITEURL
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "md5"
CACHE_PATH = {cache!r} + "/pelican"
PODCAST_CACHE_PATH = {cache!r} + "/podcast"
RESONANZ_STRICT = False
# Players in a folder of their own, as the embeds plugin advises for sites with more than
# about 90 episodes: one `_headers` rule then covers every episode page (Cloudflare Pages
# reads at most 100 rules, and its warning would make every build a full one).
EMBEDS_PLAYER_URL = "player/{{slug}}/"
EMBEDS_PLAYER_SAVE_AS = "player/{{slug}}/index.html"
""" + QUIET  # last: whatever else pelicanconf.py filters, these lines go too

STOCK_CONF = QUIET + """
PATH = {content!r}
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
SITEURL = "https://bench.example"
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"
PLUGINS = []
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
DEFAULT_PAGINATION = 8
"""

# Runs one build as a child of a fresh interpreter. Reports the wall time, the largest
# resident size of one process (ru_maxrss) and, sampled every 50 ms from /proc, the
# proportional set size (PSS) of the build and its worker processes together: forked
# workers share most pages with the build process, so adding their RSS would count those
# pages twice, and ru_maxrss alone would not count the workers' own pages at all.
MEASURE = """
import json, os, resource, subprocess, sys, time
sys.path.insert(0, sys.argv.pop(1))  # the project: resonanz/procmem.py
from resonanz.procmem import pss_kib, tree

wanted = os.environ.pop("RESONANZ_BENCH_SAMPLE", "1") == "1"
sampling = wanted and os.path.exists("/proc/self/smaps_rollup")
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
peak_pss = 0
import threading
log = []
reader = threading.Thread(target=lambda: log.append(child.stdout.read()))
reader.start()
if wanted:
    while child.poll() is None:
        if sampling:
            peak_pss = max(peak_pss, pss_kib(tree(child.pid)))
        time.sleep(0.05)
else:
    child.wait()  # timed to its end, not to the next look (up to 50 ms later)
seconds = time.perf_counter() - start
reader.join()
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
# not sampled: no figure (the bench takes memory from the sampled builds only)
print(json.dumps({"seconds": seconds, "peak_kib": peak_kib,
                  "pss_kib": (peak_pss or peak_kib) if wanted else 0,
                  "rc": child.returncode, "log": "".join(log)}))
"""


AUDIO_READ = re.compile(r"audio files read: (\d+)")
# the dependency record's count, once per flush of the writer (the last one counts all)
REPLAYED = re.compile(r"(\d+) pages as the last build wrote them, (\d+) rendered"
                      r"(?:; (\d+) feeds as they were, (\d+) written)?"
                      r"(?:; (\d+) partials as the last build made them, (\d+) rendered)?")
PROBLEMS = re.compile(r"(\d+) content problem\(s\) in this build")
TEXT_PATH = re.compile(r"only the text of (\d+) post\(s\) changed; their pages and (\d+) feed")


@dataclass
class Run:
    seconds: float
    peak_mib: float  # all processes of the build together (PSS), see MEASURE
    output_mib: float
    audio_read: int | None = None
    skipped: bool = False  # nothing changed: the build checked and stopped
    # (pages replayed, pages rendered, feeds kept, feeds written, partials reused,
    # partials rendered)
    replayed: tuple[int, ...] | None = None
    text_path: tuple[int, int] | None = None  # (posts' pages, feeds) written alone


def folder_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def build(conf: Path, content: Path, output: Path, *extra: str, memory: bool = True) -> Run:
    """One build in a fresh interpreter. memory=False: no memory sampling (its reading of
    /proc costs about 0.2 CPU seconds in a 3-second build, taken from a build that uses
    every core but from the idle core of a build in one process: the cold builds are
    timed without it, their memory comes from one more build each)."""
    # -v: INFO lines carry the podcast cache figures (both builds log the same way)
    command = [sys.executable, "-m", "pelican", str(content), "-s", str(conf), "-o", str(output),
               "-v", *extra]
    # a wide terminal for Pelican's log, so that one message stays on one line
    env = {**os.environ, "COLUMNS": "400", "RESONANZ_BENCH_SAMPLE": "1" if memory else "0"}
    # Python's bytecode cache on, as on an editor's machine: with PYTHONDONTWRITEBYTECODE
    # (set in some shells and containers) every build compiles the plugins' sources again,
    # while stock Pelican's modules come compiled from pip
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    raw = subprocess.run([sys.executable, "-c", MEASURE, str(ROOT), *command],
                         capture_output=True, text=True, check=True, cwd=conf.parent,
                         env=env)
    data = json.loads(raw.stdout)
    if data["rc"] != 0:
        raise RuntimeError(f"build failed ({conf.name}):\n{data['log'][-3000:]}")
    problems = PROBLEMS.search(data["log"])
    if problems:
        # after a build with problems no dependency record is kept: every later build
        # would be a full one, and the table would show that instead of the fast build
        warnings = [line for line in data["log"].splitlines()
                    if line.startswith(("WARNING", "ERROR"))]
        raise RuntimeError(
            f"the build ({conf.name}) reported {problems[1]} problem(s), so the figures "
            "would not be those of a clean site; fix them first (a missing Decap CMS: "
            "`make cms-install`):\n" + "\n".join(warnings[:10]))
    read = AUDIO_READ.search(data["log"])
    skipped = "nothing changed since the last build" in data["log"]
    replayed = REPLAYED.findall(data["log"])
    text = TEXT_PATH.search(data["log"])
    return Run(data["seconds"], data["pss_kib"] / 1024, folder_mib(output),
               int(read[1]) if read else None, skipped,
               tuple(int(n or 0) for n in replayed[-1]) if replayed else None,
               (int(text[1]), int(text[2])) if text else None)


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


class Trash:
    """Outputs and caches of earlier builds are moved aside, not deleted, until the
    bench is done. On ext4 without a journal (this VM's disk) a new file or folder is
    not given an inode deleted in the last minute (five while its inode table block is
    unwritten); every allocation scans past them, so a build right after deleting the
    12 000 files of the previous one ran up to twice as long, and the more files a
    build writes the more it loses. Where the disk has less than `RESERVE` free, old
    trees are deleted at once, as before (decided once, when the bench starts, so that
    stock and Resonanz are treated alike all along)."""

    RESERVE = 6 << 30

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        try:
            self.roomy = shutil.disk_usage(folder.parent).free >= self.RESERVE
        except OSError:
            self.roomy = False

    def discard(self, path: Path) -> None:
        if not path.exists():
            return
        if self.roomy:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.count += 1
            try:
                path.rename(self.folder / f"{self.count:04d}-{path.name}")
                return
            except OSError:  # another file system
                pass
        shutil.rmtree(path, ignore_errors=True)

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def bench_size(work: Path, posts: int, episodes: int, responses: int, repeat: int = 1,
               trash: Trash | None = None) -> dict:
    trash = trash or Trash(work / "trash")
    content = make_site(work, posts, episodes, responses)
    cache = work / "cache"
    # not resonanz.py: Pelican loads the settings as a module named after the file, which
    # would take the place of the resonanz package (resonanz_responses imports from it)
    ours = work / "site_resonanz.py"
    ours.write_text(RESONANZ_CONF.format(root=str(ROOT), content=str(content), cache=str(cache)))
    stock = work / "stock.py"
    stock.write_text(STOCK_CONF.format(content=str(content)))
    out_ours, out_stock = work / "out-resonanz", work / "out-stock"
    row: dict = {"posts": posts, "episodes": episodes}
    # cold builds alternate (stock, ours, stock, ours, ...) so that a slow phase of the
    # machine hits both; each starts without output and without cache
    stock_runs, cold_runs = [], []
    for _ in range(max(1, repeat)):
        trash.discard(out_stock)
        stock_runs.append(build(stock, content, out_stock, memory=False))
        trash.discard(out_ours)
        trash.discard(cache)
        cold_runs.append(build(ours, content, out_ours, memory=False))
    # the memory of each, from one more cold build with the sampler (not timed)
    trash.discard(out_stock)
    stock_memory = build(stock, content, out_stock).peak_mib
    trash.discard(out_ours)
    trash.discard(cache)
    cold_memory = build(ours, content, out_ours).peak_mib
    row["stock_cold"] = dataclasses.replace(median_run(stock_runs), peak_mib=stock_memory)
    row["cold"] = dataclasses.replace(median_run(cold_runs), peak_mib=cold_memory)
    # the builds after a change are timed without the sampler too (their ratios are to
    # the cold build's time); the first change and "render all" keep it, for the memory
    row["warm"] = build(ours, content, out_ours, memory=False)
    # the first change after a cold build renders everything and records what each page
    # used (a cold build does not: it would cost it time); later ones replay the rest
    edited = content / "posts" / "beitrag-00002.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEin Nachtrag.\n", encoding="utf-8")
    row["first"] = build(ours, content, out_ours)  # sampled: it records every page
    edited = content / "posts" / "beitrag-00000.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEin Nachtrag.\n", encoding="utf-8")
    row["edit"] = build(ours, content, out_ours, memory=False)
    retitled = content / "posts" / "beitrag-00001.md"
    retitled.write_text(re.sub(r"(?m)^Title: (.*)$", r"Title: \1 (neu)",
                               retitled.read_text(encoding="utf-8"), count=1),
                        encoding="utf-8")
    row["title"] = build(ours, content, out_ours, memory=False)
    add_episode(content, episodes + 1)
    row["episode"] = build(ours, content, out_ours, memory=False)
    # told not to stop early and not to use the dependency record: every page rendered
    # again, all reading from cache (last: its output is not what the record knows)
    row["rerender"] = build(ours, content, out_ours, "-e", "RESONANZ_SKIP_UNCHANGED=false")
    row["devserver"] = bench_devserver(ours, content, work / "out-devserver")
    return row


def table(rows: list[dict]) -> str:
    head = ("| posts | episodes | stock cold s | cold s (×stock) | warm s (×cold) | "
            "warm, render all s (×cold) | first change after cold s (×cold) | "
            "1 post's text edited s (×cold) | 1 title edited s (×cold) | "
            "1 episode added s (×cold) | peak memory MiB (×stock) | output MiB |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        stock, cold = r["stock_cold"], r["cold"]
        # the sampled builds: cold (one more, untimed), the first change, render all
        peak = max(r[k].peak_mib for k in ("cold", "warm", "rerender", "first", "edit",
                                           "title", "episode"))

        def ratio(run: Run, cold: Run = cold) -> str:
            return f"{run.seconds:.1f} ({run.seconds / cold.seconds:.2f})"

        lines.append(
            f"| {r['posts']} | {r['episodes']} | {stock.seconds:.1f} | "
            f"{cold.seconds:.1f} ({cold.seconds / stock.seconds:.2f}) | "
            f"{ratio(r['warm'])} | {ratio(r['rerender'])} | {ratio(r['first'])} | "
            f"{ratio(r['edit'])} | "
            f"{ratio(r['title'])} | {ratio(r['episode'])} | "
            f"{peak:.0f} ({peak / stock.peak_mib:.2f}) | {r['episode'].output_mib:.1f} |"
        )
    return "\n".join(lines)


def record_table(rows: list[dict]) -> str:
    """What the batch builds after a small change skipped: pages the dependency record
    replayed, or everything but the edited posts' pages and feeds (textpath.py)."""
    lines = ["| posts | episodes | change | how | pages replayed | pages rendered (text "
             "alone: pages and feeds written) | feeds as they were | feeds written | "
             "partials (teasers) as they were | partials rendered |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        for key, label in (("edit", "one post's text"), ("title", "one title"),
                           ("episode", "one episode added")):
            run = r[key]
            kept = written = reused = made = "–"
            if run.text_path:
                how, replayed = "text alone, from the snapshot", "–"
                rendered = f"{run.text_path[0]} page(s), {run.text_path[1]} feed(s)"
            elif run.replayed:
                how = "dependency record"
                replayed, rendered, kept, written, reused, made = (*run.replayed, 0, 0)[:6]
            else:
                how, replayed, rendered = "full", "–", "all"
            lines.append(f"| {r['posts']} | {r['episodes']} | {label} | {how} | {replayed} "
                         f"| {rendered} | {kept} | {written} | {reused} | {made} |")
    return "\n".join(lines)


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """'500:50,2000:50,5000:300' -> [(500, 50), (2000, 50), (5000, 300)]."""
    sizes = []
    for part in text.split(","):
        posts, _, episodes = part.partition(":")
        sizes.append((int(posts), int(episodes or 0)))
    return sizes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m resonanz bench", description=__doc__)
    parser.add_argument("--sizes", default="500:50,2000:50,2000:300,5000:300",
                        help="posts:episodes pairs, comma-separated")
    parser.add_argument("--responses", type=int, default=200, help="posts with 3 comments each")
    parser.add_argument("--import-entries", type=int, default=450,
                        help="entries of the synthetic exports whose import is timed (0: none)")
    parser.add_argument("--keep", type=Path, help="build here and keep the sites")
    parser.add_argument("--repeat", type=int, default=3,
                        help="cold builds of each kind; the table shows the median")
    args = parser.parse_args(argv)
    rows = []
    started = time.perf_counter()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="bench-", dir=args.keep))
    trash = Trash(base / "trash")
    try:
        for posts, episodes in parse_sizes(args.sizes):
            work = Path(tempfile.mkdtemp(prefix=f"bench-{posts}-{episodes}-", dir=base))
            try:
                print(f"bench: {posts} posts, {episodes} episodes ...", flush=True)
                rows.append(bench_size(work, posts, episodes, args.responses, args.repeat,
                                       trash))
            finally:
                if args.keep is None:
                    trash.discard(work)
    finally:
        trash.empty()
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print()
    print(table(rows))
    print("\nbatch builds after a small change, what the dependency record let them "
          "replay:\n")
    print(record_table(rows))
    print("\ndev server, one post's text saved (median of 5 edits):\n")
    print(devserver_table(rows))
    print()
    for row in rows:
        reads = {k: row[k].audio_read for k in ("cold", "warm", "rerender", "edit", "episode")}
        warm = "none (stopped: nothing changed)" if row["warm"].skipped else reads["warm"]
        print(f"audio files read ({row['posts']} posts, {row['episodes']} episodes): "
              f"cold {reads['cold']}, warm {warm}, render all {reads['rerender']}, "
              f"post edited {reads['edit']}, episode added {reads['episode']}")
    if args.import_entries:
        work = Path(tempfile.mkdtemp(prefix="bench-import-", dir=args.keep))
        try:
            print(f"\nimport of old-blog exports ({args.import_entries} entries, 4 comments "
                  "each; target: under 10 s):\n")
            print(import_table(bench_import(work, args.import_entries)))
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores; "
          f"total {time.perf_counter() - started:.0f} s")
    return 0
