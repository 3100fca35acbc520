"""Episode loudness in `make check`: EBU R128 figures of test tones at known levels.

A 1 kHz sine of peak amplitude a reads 20·log10(a) LUFS in stereo (EBU Tech 3341's
calibration: -23 dBFS per channel = -23 LUFS) and 3.01 LU less in mono; its true peak is
20·log10(a) dBTP.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_podcast_site import build, fixture_site

from resonanz.check import main
from resonanz.check.loudness import LoudnessCache, measure

pytestmark = pytest.mark.slow


def tone(path: Path, dbfs: float, channels: int = 2, seconds: float = 6) -> Path:
    amplitude = 10 ** (dbfs / 20)
    wav = path.with_suffix(".wav")
    subprocess.run(["sox", "-n", "-r", "44100", "-c", str(channels), str(wav),
                    "synth", str(seconds), "sine", "1000", "vol", f"{amplitude:.6f}"], check=True)
    if path.suffix != ".wav":
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-c:a",
                        "libmp3lame", "-b:a", "192k", str(path)], check=True)
        wav.unlink()
    return path


def expected_lufs(dbfs: float, channels: int) -> float:
    return dbfs - (10 * math.log10(2) if channels == 1 else 0)


@pytest.mark.parametrize(("dbfs", "channels"), [(-16, 2), (-23, 2), (-12, 2), (-16, 1),
                                                (-19, 1), (-0.3, 2)])
def test_tones_read_at_their_level(tmp_path, dbfs, channels):
    figures = measure(tone(tmp_path / "tone.wav", dbfs, channels))
    assert figures.channels == channels
    assert abs(figures.integrated - expected_lufs(dbfs, channels)) <= 0.5, figures
    assert abs(figures.true_peak - dbfs) <= 0.5, figures
    target = -19 if channels == 1 else -16
    in_range = abs(expected_lufs(dbfs, channels) - target) <= 1
    problems = figures.problems()
    assert any("integrated loudness" in p for p in problems) is not in_range
    assert any("true peak" in p for p in problems) is (dbfs > -1)


def test_figures_are_cached_by_content(tmp_path):
    cache = LoudnessCache(tmp_path / "cache")
    first = cache.measure(tone(tmp_path / "a.wav", -18))
    shutil.copy(tmp_path / "a.wav", tmp_path / "b.wav")
    assert cache.measure(tmp_path / "b.wav") == first and cache.hits == 1
    tone(tmp_path / "a.wav", -10)  # same name, other content: measured again
    assert abs(cache.measure(tmp_path / "a.wav").integrated + 10) <= 0.5
    assert cache.hits == 1
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2


def test_check_warns_and_lists_the_figures(tmp_path, capsys):
    audio = tmp_path / "audio"
    audio.mkdir()
    content = fixture_site(tmp_path, {
        "001-richtig.mp3": tone(audio / "ok.mp3", -16),
        "002-leise.mp3": tone(audio / "quiet.mp3", -24),
        "003-mono.mp3": tone(audio / "mono.mp3", -16, channels=1),
        "004-spitze.mp3": tone(audio / "peak.mp3", -0.2, channels=1, seconds=3),
    })
    result = build(content, tmp_path / "output")
    assert result.error is None
    options = ["--only", "loudness", "--loudness-cache", str(tmp_path / "cache")]
    code = main([str(tmp_path / "output"), *options])
    out = capsys.readouterr().out
    assert code == 0, out  # warnings only
    warnings = [line for line in out.splitlines() if line.startswith("WARNING [loudness]")]
    assert len(warnings) == 3, out
    quiet = next(w for w in warnings if "002-leise.mp3" in w)
    found = re.search(r"integrated loudness (-[\d.]+) LUFS, stereo target is -16 ±1 LUFS: "
                      r"raise it by ([\d.]+) LU", quiet)
    assert found and abs(float(found.group(1)) + 24) <= 0.5, quiet
    assert abs(float(found.group(2)) - (-16 - float(found.group(1)))) < 0.051
    assert any("004-spitze.mp3" in w and "true peak" in w for w in warnings)
    assert not any("001-richtig" in w or "003-mono" in w for w in warnings)
    details = out.split("\nloudness:\n", 1)[1].splitlines()
    figures = {line.split(":")[0].strip(): line for line in details if line.startswith("  ")}
    stereo = re.match(r"  podcast/001-richtig.mp3: (-[\d.]+) LUFS, true peak (-[\d.]+) dBTP, "
                      r"stereo$", figures["podcast/001-richtig.mp3"])
    assert stereo and abs(float(stereo.group(1)) + 16) <= 0.5
    assert abs(float(stereo.group(2)) + 16) <= 0.5
    mono = re.match(r"  podcast/003-mono.mp3: (-[\d.]+) LUFS, .* mono$",
                    figures["podcast/003-mono.mp3"])
    assert mono and abs(float(mono.group(1)) - expected_lufs(-16, 1)) <= 0.5
    row = next(line.split() for line in out.splitlines() if line.startswith("loudness "))
    assert row[1:4] == ["4", "0", "3"] and "0 of 4 cached" in " ".join(row)
    assert main([str(tmp_path / "output"), *options]) == 0
    assert "4 of 4 cached" in capsys.readouterr().out
