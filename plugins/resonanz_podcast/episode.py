"""The Episode content type and the pure helpers that turn show-notes metadata into its fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pelican.contents import Content

from .audio import FORMATS, AudioFacts
from .chapters import Chapter, parse_timestamp
from .feed import Person, Soundbite
from .settings import DEFAULTS
from .transcripts import Paragraph

EPISODE_TYPES = ("full", "trailer", "bonus")
_TRUE = {"true", "yes", "ja", "1", "on", "explicit"}
_FALSE = {"false", "no", "nein", "0", "off", "clean"}
_NUMBER_PREFIX = re.compile(r"^(\d+)[-_ ]")
_GUEST = re.compile(r"^\s*(.*?)\s*(?:<(\S+)>)?\s*$")


class FieldError(ValueError):
    """A metadata value that cannot be used: names the field, the value and the fix."""

    def __init__(self, field: str, value: object, fix: str) -> None:
        super().__init__(f"{field} = {value!r}: {fix}")
        self.field = field
        self.value = value
        self.fix = fix


def parse_bool(field_name: str, value: Any) -> bool:
    """true/false/yes/no/ja/nein (Apple's `clean` counts as false)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldError(field_name, value, "use true or false")


def parse_int(field_name: str, value: Any) -> int:
    """A non-negative whole number such as an episode or season number."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise FieldError(field_name, value, "use a whole number such as 34") from None
    if number < 0:
        raise FieldError(field_name, value, "must be 0 or more")
    return number


def parse_episode_type(value: Any) -> str:
    text = str(value).strip().lower()
    if text not in EPISODE_TYPES:
        raise FieldError("episode_type", value, "use full, trailer or bonus")
    return text


def number_from_stem(stem: str) -> int | None:
    """`034-zuhoeren` -> 34; stems without a number prefix give None."""
    match = _NUMBER_PREFIX.match(stem)
    return int(match.group(1)) if match else None


def as_list(value: Any) -> list[Any]:
    """Metadata may be a YAML list or a plain string with `;` or `,` separators."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return list(value)
    text = str(value)
    separator = ";" if ";" in text else ("\n" if "\n" in text else ",")
    return [part.strip() for part in text.split(separator) if part.strip()]


def parse_guests(value: Any) -> list[Person]:
    """Guests as `Name <https://url>` strings or mappings with name/href/img/role."""
    guests = []
    for item in as_list(value):
        if isinstance(item, dict):
            if not item.get("name"):
                raise FieldError("guests", item, "each guest needs a name")
            guests.append(
                Person(
                    name=str(item["name"]),
                    role=str(item.get("role", "guest")),
                    href=str(item.get("href", item.get("url", ""))),
                    img=str(item.get("img", item.get("image", ""))),
                )
            )
            continue
        match = _GUEST.match(str(item))
        if not match or not match.group(1):
            raise FieldError("guests", item, "write `Name <https://link>` or just the name")
        guests.append(Person(name=match.group(1), role="guest", href=match.group(2) or ""))
    return guests


def parse_soundbites(value: Any) -> list[Soundbite]:
    """`00:01:10 30 Title` strings (start, seconds, optional title) or start/duration mappings."""
    bites = []
    for item in as_list(value):
        try:
            if isinstance(item, dict):
                start = parse_timestamp(str(item["start"]))
                duration = float(item["duration"])
                title = str(item.get("title", ""))
            else:
                start_text, duration_text, *rest = str(item).split(maxsplit=2)
                start = parse_timestamp(start_text)
                duration = float(duration_text)
                title = rest[0] if rest else ""
        except (KeyError, ValueError):
            raise FieldError(
                "soundbites", item, "write `HH:MM:SS seconds Title`, e.g. `00:01:10 30 Highlight`"
            ) from None
        bites.append(Soundbite(start=start, duration=duration, title=title))
    return bites


def format_duration(seconds: float) -> str:
    """`1:02:03` or `12:34` for the page."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_duration_words(seconds: float, lang: str = "de") -> str:
    """`5 Sek.`, `12 Min.`, `1 Std. 3 Min.`: a length nobody misreads as a clock time.

    A no-break space keeps each number with its unit when the line wraps.
    """
    total = int(round(seconds))
    if total < 60:
        return f"{total}\u00a0Sek." if lang == "de" else f"{total}\u00a0sec"
    hours, minutes = divmod(int(round(total / 60)), 60)
    hour_unit, minute_unit = ("Std.", "Min.") if lang == "de" else ("h", "min")
    parts = ([f"{hours}\u00a0{hour_unit}"] if hours else []) + (
        [f"{minutes}\u00a0{minute_unit}"] if minutes or not hours else []
    )
    return " ".join(parts)


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration for JSON-LD, e.g. `PT1H2M3S`."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{secs}S" if hours else f"PT{minutes}M{secs}S"


def format_size(size: int, lang: str = "de") -> str:
    """`12,3 MB` (German decimal comma) or `12.3 MB`."""
    if size >= 1_000_000:
        text = f"{size / 1_000_000:.1f} MB"
    else:
        text = f"{max(1, round(size / 1000))} kB"
    return text.replace(".", ",") if lang == "de" else text


@dataclass
class MediaFile:
    """An audio file of an episode: where it came from, where it goes, what it is."""

    source: str  # path relative to content/
    filename: str
    path: str  # output path relative to the site root
    url: str  # absolute URL for feeds
    external_url: str  # set when PODCAST_MEDIA_URL puts media on another host
    facts: AudioFacts

    @property
    def format(self) -> str:
        return self.facts.format

    @property
    def label(self) -> str:
        return FORMATS[self.facts.format][1]

    @property
    def size_text(self) -> str:
        return format_size(self.facts.size)

    def href(self, siteurl: str) -> str:
        """Link for pages: the media host if set, else next to the site (relative-URL aware)."""
        return self.external_url or f"{siteurl}/{self.path}"


@dataclass
class Artwork:
    """Rendered cover variants: width -> output path; the largest is the feed image."""

    variants: dict[int, str] = field(default_factory=dict)
    base_url: str = ""

    @property
    def largest(self) -> str:
        return self.variants[max(self.variants)] if self.variants else ""

    def src(self, width: int) -> str:
        """Path of the smallest variant at least `width` wide (or the largest one)."""
        fitting = [w for w in sorted(self.variants) if w >= width]
        return self.variants[fitting[0] if fitting else max(self.variants)]

    def srcset(self, siteurl: str) -> str:
        return ", ".join(f"{siteurl}/{path} {w}w" for w, path in sorted(self.variants.items()))


class Episode(Content):
    """A podcast episode; behaves like an article in templates (title, date, url, content)."""

    mandatory_properties = ("title", "date")
    default_template = "episode"
    default_status = "published"

    # Filled in by the generator after construction.
    number: int | None = None
    season: int | None = None
    episode_type: str = "full"
    explicit: bool = False
    block: bool = False
    guid: str = ""
    subtitle: str = ""
    media: list[MediaFile]
    chapters: list[Chapter]
    chapters_path: str = ""
    transcript_files: list[tuple[str, str]]  # (output path, MIME type)
    transcript: list[Paragraph]
    guests: list[Person]
    soundbites: list[Soundbite]
    artwork: Artwork | None = None
    duration: float = 0.0
    jsonld: str = ""

    def _expand_settings(self, key: str, klass: str | None = None) -> str:
        # Episode URLs are plugin settings (PODCAST_EPISODE_URL), not Pelican's EPISODE_URL.
        fq_key = f"PODCAST_EPISODE_{key.upper().removeprefix('LANG_')}"
        return str(self.settings.get(fq_key, DEFAULTS[fq_key])).format(**self.url_format)

    @property
    def main_media(self) -> MediaFile:
        return self.media[0]

    @property
    def duration_text(self) -> str:
        return format_duration(self.duration)

    @property
    def duration_label(self) -> str:
        """The length in words for pages (`12 Min.`); `duration_text` is the clock form."""
        return format_duration_words(self.duration, "en" if self.lang.startswith("en") else "de")

    @property
    def display_title(self) -> str:
        """Title with the number, as listeners cite it: `034: Zuhören`."""
        return f"{self.number:03d}: {self.title}" if self.number is not None else self.title
