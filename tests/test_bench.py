"""`make bench` runs on a tiny size and prints its table (the figures are not asserted)."""

from __future__ import annotations

import subprocess

import pytest
from conftest import ROOT


@pytest.mark.fastbuild  # the warm build stops early: resonanz_fastbuild.uptodate
def test_make_bench_prints_the_table():
    result = subprocess.run(
        ["make", "--no-print-directory", "bench",
         "BENCH_ARGS=--sizes 12:2 --responses 4 --repeat 1 --import-entries 20"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| posts |"))
    assert "stock cold s" in header and "peak memory MiB" in header
    row = next(line for line in lines if line.startswith("| 12 | 2 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 12
    float(cells[2])  # stock seconds
    assert "(" in cells[3] and float(cells[3].split()[0]) > 0
    # the cold builds are timed without the memory sampler; the memory comes from the
    # sampled builds (one more cold build of each, the first change, render all)
    peak, ratio = cells[10].split()
    assert float(peak) > 0 and float(ratio.strip("()")) > 0, cells
    # batch builds after a small change: one text edit writes the post's page and its
    # feeds alone (from the snapshot), a title edit replays most pages from the record
    edit = next(line for line in lines if line.startswith("| 12 | 2 | one post's text |"))
    cells = [c.strip() for c in edit.strip("|").split("|")]
    assert cells[3] == "text alone, from the snapshot" and cells[5].startswith("1 page(s)")
    title = next(line for line in lines if line.startswith("| 12 | 2 | one title |"))
    cells = [c.strip() for c in title.strip("|").split("|")]
    assert cells[3] == "dependency record" and int(cells[4]) > int(cells[5]) > 0
    # the feeds that list the retitled post are written, the others kept; the listings
    # rendered again take the other posts' teasers from the record, the retitled one's
    # is rendered
    assert int(cells[6]) > 0 and int(cells[7]) > 0, cells
    assert int(cells[8]) > 0 and int(cells[9]) > 0, cells
    # the warm build found nothing changed and stopped; rendering all read no audio
    reads = next(line for line in lines if line.startswith("audio files read (12 posts"))
    assert "warm none (stopped: nothing changed)" in reads
    assert "cold 2," in reads and "render all 0," in reads and "episode added 1" in reads
    # the import of synthetic exports: one row per format, seconds as numbers
    for source in ("wordpress", "movabletype"):
        row = next(line for line in lines if line.startswith(f"| {source} | 20 | 80 |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[4].split()[0]) > 0 and float(cells[5].split()[0]) > 0


def test_bench_moves_old_builds_aside_and_empties_the_trash_at_the_end(tmp_path,
                                                                         monkeypatch):
    from resonanz import bench

    monkeypatch.setattr(bench.Trash, "RESERVE", 0)  # whatever this disk has free
    trash = bench.Trash(tmp_path / "trash")
    for name in ("out", "cache"):
        (tmp_path / name / "a").mkdir(parents=True)
        (tmp_path / name / "a" / "index.html").write_text("x", encoding="utf-8")
        inode = (tmp_path / name / "a" / "index.html").stat().st_ino
        trash.discard(tmp_path / name)
        assert not (tmp_path / name).exists()
        moved = [p for p in (tmp_path / "trash").rglob("index.html")
                 if p.stat().st_ino == inode]
        assert len(moved) == 1  # the same file, renamed: nothing was deleted yet
    trash.discard(tmp_path / "not-there")
    assert len(list((tmp_path / "trash").iterdir())) == 2
    trash.empty()
    assert not (tmp_path / "trash").exists()
    # with too little free space when the bench starts, old builds are deleted at once
    monkeypatch.setattr(bench.Trash, "RESERVE", 1 << 62)
    (tmp_path / "out").mkdir()
    bench.Trash(tmp_path / "trash").discard(tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "trash").exists()


def test_a_build_with_problems_stops_the_bench_with_its_warnings(tmp_path, monkeypatch):
    """After a build with problems no dependency record is kept: the bench would time
    full builds and call them small changes. It stops and shows the warnings instead;
    the builds run with Python's bytecode cache, as on an editor's machine."""
    import json

    from resonanz import bench

    log = ("WARNING  resonanz_cms: CMS_NODE_MODULES = 'x': Decap CMS is not installed\n"
           "INFO     resonanz_core: 1 content problem(s) in this build\nDone: Processed\n")
    seen = {}

    def run(command, **kwargs):
        seen["env"] = kwargs.get("env", {})
        data = {"seconds": 1.0, "peak_kib": 1024, "pss_kib": 1024, "rc": 0, "log": log}
        return subprocess.CompletedProcess(command, 0, stdout=json.dumps(data), stderr="")

    monkeypatch.setattr(bench.subprocess, "run", run)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    (tmp_path / "out").mkdir()
    with pytest.raises(RuntimeError) as error:
        bench.build(tmp_path / "site_resonanz.py", tmp_path / "content", tmp_path / "out")
    assert "1 problem(s)" in str(error.value) and "make cms-install" in str(error.value)
    assert "Decap CMS is not installed" in str(error.value)
    assert "PYTHONDONTWRITEBYTECODE" not in seen["env"]
    log = "Done: Processed 2 articles\n"
    found = bench.build(tmp_path / "site_resonanz.py", tmp_path / "content", tmp_path / "out")
    assert found.seconds == 1.0
