#!/bin/sh
# Regenerate the demo podcast audio and covers in content/ (an explicit command, never run by a
# build). Needs espeak-ng, ffmpeg and the project's .venv (Pillow). Output: a few kB per file.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
ep="$root/content/episodes"
PY="${PY:-$root/.venv/bin/python}"
FF="ffmpeg -hide_banner -loglevel error -y -bitexact"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$ep" "$root/content/images/podcast"

say() { espeak-ng -v de -s 165 -w "$tmp/$1.wav" "$2"; }

say trailer "Resonanz, der Podcast über Kundendialog und Community. Ab jetzt alle zwei Wochen."
say z1 "Willkommen zu Folge eins. Heute geht es ums Zuhören."
say z2 "Erstens: Fragen stellen. Zweitens: nachfragen."
say z3 "Zum Schluss: Was wir mitnehmen."
sox "$tmp/z1.wav" "$tmp/z2.wav" "$tmp/z3.wav" "$tmp/zuhoeren.wav"
say beschwerden "Lena: Eine Beschwerde ist ein Geschenk. Aylin: Wenn man schnell antwortet."
say community "Folge drei. Eine Community wächst nicht von allein. Sie braucht Ziele."

mp3() { in="$1"; shift; $FF -i "$in" -ac 1 -ar 22050 -c:a libmp3lame -b:a 24k -id3v2_version 4 "$@"; }
mp3 "$tmp/trailer.wav" -metadata title="Trailer: Das ist Resonanz" "$ep/trailer.mp3"
mp3 "$tmp/zuhoeren.wav" -metadata title="Zuhören statt senden" "$ep/001-zuhoeren.mp3"
$FF -i "$tmp/zuhoeren.wav" -ac 1 -ar 22050 -c:a aac -b:a 24k "$ep/001-zuhoeren.m4a"
$FF -i "$tmp/zuhoeren.wav" -ac 1 -c:a libopus -b:a 16k "$ep/001-zuhoeren.opus"
mp3 "$tmp/beschwerden.wav" -metadata title="Beschwerden als Chance" "$ep/002-beschwerden.mp3"

# Episode 3 has no show notes: title, date, comment and chapters come from the ID3 tags alone.
len=$(soxi -D "$tmp/community.wav")
half=$("$PY" -c "print(int(float('$len') * 500))")
end=$("$PY" -c "print(int(float('$len') * 1000))")
cat > "$tmp/meta.txt" <<META
;FFMETADATA1
title=Community-Aufbau: Ziele zuerst
date=2026-03-12T10:00:00+01:00
comment=Warum eine Community Ziele braucht, bevor sie Mitglieder braucht.
artist=Resonanz
[CHAPTER]
TIMEBASE=1/1000
START=0
END=$half
title=Einstieg
[CHAPTER]
TIMEBASE=1/1000
START=$half
END=$end
title=Ziele
META
$FF -i "$tmp/community.wav" -i "$tmp/meta.txt" -map_metadata 1 -map_chapters 1 -ac 1 -ar 22050 \
    -c:a libmp3lame -b:a 24k -id3v2_version 3 -write_xing 1 "$ep/003-community-ziele.mp3"

# The covers (with German text in DejaVu Sans) come from the demo image generator.
(cd "$root" && "$PY" -m resonanz.demo_images --content "$root/content")

"$PY" - "$root" <<'PYEOF'
import sys
from pathlib import Path

root = Path(sys.argv[1])

# ffmpeg's ID3 writer keeps only the year and drops the comment; set both with mutagen.
from mutagen.id3 import COMM, ID3, TDRC

tags = ID3(root / "content/episodes/003-community-ziele.mp3")
tags.setall("TDRC", [TDRC(encoding=3, text=["2026-03-12T10:00:00"])])
tags.setall("COMM", [COMM(encoding=3, lang="deu", desc="",
                          text=["Warum eine Community Ziele braucht, bevor sie Mitglieder braucht."])])
tags.save(v2_version=3)
PYEOF
ls -l "$ep" "$root/content/images/podcast"
