"""`make bench` runs on a tiny size and prints its table (the figures are not asserted)."""

from __future__ import annotations

import subprocess

from conftest import ROOT


def test_make_bench_prints_the_table():
    result = subprocess.run(
        ["make", "--no-print-directory", "bench",
         "BENCH_ARGS=--sizes 12:2 --responses 4 --repeat 1"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| posts |"))
    assert "stock cold s" in header and "peak memory MiB" in header
    row = next(line for line in lines if line.startswith("| 12 | 2 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 10
    float(cells[2])  # stock seconds
    assert "(" in cells[3] and float(cells[3].split()[0]) > 0
    # the warm build found nothing changed and stopped; rendering all read no audio
    reads = next(line for line in lines if line.startswith("audio files read (12 posts"))
    assert "warm none (stopped: nothing changed)" in reads
    assert "cold 2," in reads and "render all 0," in reads and "episode added 1" in reads
