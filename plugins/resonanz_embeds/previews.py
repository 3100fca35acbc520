"""Preview images of videos: fetched from the provider only on request, stored locally.

`PYTHONPATH=plugins python -m embeds.previews [--content content]` stores the preview of
every video in the Markdown sources under content/images/embeds/ (the one command that writes
there; an existing file is never replaced, so a hand-picked preview survives).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import sys
from pathlib import Path
from urllib.parse import quote
from urllib.request import Request, urlopen

from PIL import Image

from .video import Video, parse_video_url

logger = logging.getLogger(__name__)

PREVIEW_WIDTH = 640
USER_AGENT = "Resonanz-embed-previews/1.0"
MAX_BYTES = 5_000_000

# Lines of Markdown that the plugin turns into a video: a lone URL, <URL>, !video[Title](URL).
_SOURCE_LINE = re.compile(
    r"^\s*(?:<(?P<auto>https?://\S+)>|(?P<bare>https?://\S+)|!video\[[^\]]*\]\((?P<explicit>\S+)\))\s*$"
)


class PreviewError(RuntimeError):
    """The provider did not give us a usable image; the message says which video and why."""


def videos_in_text(text: str) -> list[Video]:
    """Videos the plugin will render from this Markdown, in order, each once."""
    found: list[Video] = []
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        match = None if in_code or line.startswith("    ") else _SOURCE_LINE.match(line)
        if not match:
            continue
        video = parse_video_url(match["auto"] or match["bare"] or match["explicit"])
        if video is not None and video not in found:
            found.append(video)
    return found


def _get(url: str, timeout: float) -> bytes:
    request = Request(url, headers={"User-Agent": USER_AGENT})
    with urlopen(request, timeout=timeout) as response:  # noqa: S310 - https URLs we build
        data = response.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PreviewError(f"{url}: larger than {MAX_BYTES} bytes")
    return data


def thumbnail_url(video: Video, timeout: float = 10.0) -> str:
    """Where the provider keeps the still image (Vimeo needs one oEmbed request to know)."""
    if video.provider == "youtube":
        return f"https://i.ytimg.com/vi/{video.video_id}/hqdefault.jpg"
    page = quote(video.watch_url.split("#")[0], safe="")
    answer = json.loads(_get(f"https://vimeo.com/api/oembed.json?url={page}&width=640", timeout))
    url = answer.get("thumbnail_url")
    if not url:
        raise PreviewError(f"{video.watch_url}: Vimeo's oEmbed answer has no thumbnail_url")
    return url


def normalise_preview(data: bytes) -> bytes:
    """Any image -> a 640 px wide RGB JPEG without metadata (what the page shows)."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:  # Pillow raises many kinds for bad data
        raise PreviewError(f"not an image ({exc})") from exc
    image = image.convert("RGB")
    if image.width > PREVIEW_WIDTH:
        height = round(image.height * PREVIEW_WIDTH / image.width)
        image = image.resize((PREVIEW_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def fetch_preview(video: Video, timeout: float = 10.0) -> bytes:
    """Download and normalise the preview of one video (network!)."""
    try:
        return normalise_preview(_get(thumbnail_url(video, timeout), timeout))
    except PreviewError as exc:
        raise PreviewError(f"{video.watch_url}: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise PreviewError(f"{video.watch_url}: download failed ({exc})") from exc


def store_previews(content: Path, preview_path: str, timeout: float = 10.0) -> tuple[int, int]:
    """Fetch the missing previews of every video in content/; (stored, failed)."""
    target = content / preview_path
    stored = failed = 0
    for source in sorted(content.rglob("*.md")):
        for video in videos_in_text(source.read_text(encoding="utf-8")):
            path = target / video.preview_name
            if path.exists():
                continue
            try:
                data = fetch_preview(video, timeout)
            except PreviewError as exc:
                logger.error(
                    "embeds: %s: video = %r: %s", source.relative_to(content), video.watch_url, exc
                )
                failed += 1
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            logger.info("embeds: stored %s", path)
            stored += 1
    return stored, failed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="embed-previews",
        description="Store the preview image of every YouTube/Vimeo video in content/ "
        "under content/images/embeds/ (existing files are kept).",
    )
    parser.add_argument("--content", default="content", help="content folder (default: content)")
    parser.add_argument("--path", default="images/embeds", help="folder inside content/")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    stored, failed = store_previews(Path(args.content), args.path, args.timeout)
    print(f"embed-previews: {stored} stored, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
