"""From a parsed export to files: slugs, Markdown, responses, redirects, media, manifest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import yaml

from resonanz import responses_format
from resonanz.responses_format import entry_record, safe_url

from . import media as media_module
from . import redirects as redirects_module
from .html2md import html_to_markdown
from .model import Entry, Export, ImportInputError, Response
from .slugs import entry_slug, unique_slug

logger = logging.getLogger(__name__)

MANIFEST = ".resonanz-import.json"
_DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_SLUG_LINE = re.compile(r"^slug:\s*['\"]?([^'\"\n]+?)['\"]?\s*$", re.IGNORECASE | re.MULTILINE)


@dataclasses.dataclass
class Options:
    """How and where to import."""

    content: Path
    redirects_dir: Path
    media_dir: str = "images/imported"
    download_media: bool = False
    site_url: str = ""  # the new site's URL, for canonical links of redirect pages
    dry_run: bool = False


@dataclasses.dataclass
class Planned:
    """One content file the import wants to write."""

    path: str  # relative to content/
    text: str
    label: str


@dataclasses.dataclass
class Report:
    """What the import did and did not do."""

    counts: Counter = dataclasses.field(default_factory=Counter)
    written: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    kept: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (path, why)
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    media: list[media_module.MediaFile] = dataclasses.field(default_factory=list)
    external_images: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    media_problems: list[str] = dataclasses.field(default_factory=list)
    redirects: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    def text(self, source: str, dry_run: bool) -> str:
        c = self.counts
        lines = [f"import from {source}{' (dry run: nothing written)' if dry_run else ''}:"]
        rows = [
            ("posts", c["posts"]), ("pages", c["pages"]), ("drafts", c["drafts"]),
            ("comments", c["comment"]), ("trackbacks", c["trackback"]),
            ("pingbacks", c["pingback"]), ("webmentions", c["webmention"]),
            ("  of these pending", c["pending"]), ("  of these spam (kept, never shown)",
                                                   c["spam"]),
            ("media files referenced", len(self.media)),
            ("redirects", len(self.redirects)),
            ("files written", len(self.written)), ("files unchanged", len(self.unchanged)),
            ("files kept (edited by hand)", len(self.kept)),
            ("items skipped", len(self.skipped)),
        ]
        lines += [f"  {name:<38} {value:>6}" for name, value in rows]
        if self.skipped:
            lines.append("skipped:")
            reasons = Counter(why for _, why in self.skipped)
            for why, count in reasons.most_common():
                lines.append(f"  {count} x {why}")
            for item, why in self.skipped:
                lines.append(f"    - {item}: {why}")
        if self.kept:
            lines.append("not overwritten:")
            lines += [f"  - {path}: {why}" for path, why in self.kept]
        if self.notes:
            lines.append("check:")
            lines += [f"  - {note}" for note in self.notes]
        if self.media:
            lines.append("media (old URL -> new file under content/):")
            lines += [f"  - {m.url} -> {m.target}" for m in self.media]
        if self.external_images:
            lines.append("images on other sites (left as they are, they load from there):")
            lines += [f"  - {url}" for url in self.external_images]
        if self.media_problems:
            lines.append("media not downloaded:")
            lines += [f"  - {problem}" for problem in self.media_problems]
        return "\n".join(lines) + "\n"


# --- manifest and atomic writes ---------------------------------------------------------


def sha256(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def load_manifest(content: Path) -> dict[str, str]:
    """Paths (relative to content/) written by earlier imports and the hash written."""
    path = content / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ImportInputError(
            f"{path}: unreadable ({error}); without it the import cannot tell hand edits "
            "apart, fix or delete it"
        ) from None
    files = data.get("files", {}) if isinstance(data, dict) else {}
    return {k: v for k, v in files.items() if isinstance(v, str)}


def write_atomic(path: Path, text: str) -> None:
    """Write text so that a reader sees the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


# --- planning --------------------------------------------------------------------------


def existing_slugs(content: Path, tracked: set[str]) -> dict[str, str]:
    """Slugs of posts and pages that were not written by the import: slug -> file."""
    slugs: dict[str, str] = {}
    for folder in ("posts", "pages", "case-studies"):
        base = content / folder
        if not base.is_dir():
            continue
        for file in sorted(base.rglob("*")):
            relative = file.relative_to(content).as_posix()
            if not file.is_file() or relative in tracked or file.suffix not in (
                ".md", ".markdown", ".rst", ".html"
            ):
                continue
            slugs.setdefault(_DATED_NAME.sub("", file.stem), relative)
            try:
                head = file.read_text(encoding="utf-8", errors="replace")[:4000]
            except OSError:
                continue
            match = _SLUG_LINE.search(head)
            if match:
                slugs.setdefault(match.group(1).strip(), relative)
    return slugs


def _yaml(data: object) -> str:
    # libyaml's emitter when PyYAML has it: the same text, several times faster
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=10_000)


class _Plan:
    def __init__(self, export: Export, options: Options, manifest: dict[str, str]) -> None:
        self.export = export
        self.options = options
        self.report = Report(skipped=list(export.skipped), notes=list(export.notes))
        self.files: list[Planned] = []
        self.responses: dict[str, list[dict]] = {}
        self.paths: dict[str, str] = {}  # source_id -> path relative to content/
        self.urls: dict[str, str] = {}  # source_id -> new URL path
        self.slugs: dict[str, str] = {}
        self.media = media_module.MediaMap(export.site_url, options.media_dir)
        self.manifest = manifest
        self.answered = {r.entry_ref for r in export.responses}  # entries with responses

    def run(self) -> None:
        entries = self._assign_slugs()
        by_old_path = self._old_paths(entries)
        for entry in entries:
            self._entry(entry, by_old_path)
        self._responses()
        self._redirects(entries)
        for url in self.export.attachments:
            self.media.add(url, "")
        self.report.media = sorted(self.media.files.values(), key=lambda m: m.target)
        self.report.external_images = dict(sorted(self.media.external.items()))

    def _assign_slugs(self) -> list[Entry]:
        taken_by = existing_slugs(self.options.content, set(self.manifest))
        # The oldest published item keeps a contested slug: its URL is the one linked to most.
        far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
        ordered = sorted(self.export.entries,
                         key=lambda e: (e.status != "published", e.date or far_future))
        for entry in ordered:
            wanted = entry_slug(entry.slug, entry.title) or (
                f"{entry.kind}-{entry.source_id.rsplit(':', 1)[-1]}")
            slug = unique_slug(wanted, set(taken_by))
            if slug != wanted:
                self.report.notes.append(
                    f"{entry.source_id} {entry.title!r}: duplicate slug {wanted!r} (taken by "
                    f"{taken_by[wanted]}), imported as {slug!r}"
                )
            taken_by[slug] = f"{entry.source_id} {entry.title!r}"
            self.slugs[entry.source_id] = slug
            if entry.kind == "page":
                self.paths[entry.source_id] = f"pages/{slug}.md"
                self.urls[entry.source_id] = f"/{slug}/"
            else:
                self.paths[entry.source_id] = f"posts/{entry.date:%Y-%m-%d}-{slug}.md"
                self.urls[entry.source_id] = f"/{entry.date:%Y}/{entry.date:%m}/{slug}/"
        return ordered

    def _absolute_old(self, entry: Entry) -> str:
        if entry.old_url.startswith("/") and self.export.site_url:
            return urljoin(self.export.site_url, entry.old_url.lstrip("/"))
        return entry.old_url

    def _old_paths(self, entries: list[Entry]) -> dict[str, Entry]:
        found = {}
        for entry in entries:
            if entry.status == "published" and entry.old_url:
                path = redirects_module.old_path(self._absolute_old(entry))
                if path:
                    found[path] = entry
        return found

    def _rewriter(self, label: str, by_old_path: dict[str, Entry]):
        def rewrite(url: str, attribute: str) -> str:
            absolute = self.media.absolute(url)
            if attribute == "href" and self.media.is_own(absolute):
                target, _, fragment = absolute.partition("#")
                path = redirects_module.old_path(target)
                entry = by_old_path.get(path or "") or by_old_path.get((path or "") + "/")
                if entry is not None:
                    return "{filename}/" + self.paths[entry.source_id] + (
                        "#" + fragment if fragment else "")
            return self.media.rewrite(url, attribute, label) or url

        return rewrite

    def _markdown(self, source: str, body_format: str, label: str, rewrite) -> str:
        if body_format == "markdown":
            return source.strip() + "\n" if source.strip() else ""
        conversion = html_to_markdown(source, paragraphs_from_newlines=body_format == "autop",
                                      rewrite=rewrite)
        self.report.notes.extend(f"{label}: {note}" for note in conversion.notes)
        return conversion.markdown

    def _entry(self, entry: Entry, by_old_path: dict[str, Entry]) -> None:
        path = self.paths[entry.source_id]
        label = f"{entry.source_id} {entry.title!r}"
        rewrite = self._rewriter(path, by_old_path)
        body = self._markdown(entry.body, entry.body_format, label, rewrite)
        summary = self._markdown(entry.summary, "autop" if entry.body_format != "markdown"
                                 else "markdown", label, rewrite).strip()
        meta: dict[str, object] = {"title": entry.title or "(ohne Titel)"}
        if not entry.title:
            self.report.notes.append(f"{label}: no title, imported as '(ohne Titel)'")
        meta["date"] = entry.date
        if entry.modified and entry.modified != entry.date:
            meta["modified"] = entry.modified
        if entry.author:
            meta["author"] = entry.author
        tags = list(entry.tags)
        if entry.kind == "post" and entry.categories:
            meta["category"] = entry.categories[0]
            extra = [c for c in entry.categories[1:] if c not in tags]
            if extra:  # categories that are tags already lose nothing: no line for them
                tags = extra + tags
                self.report.notes.append(
                    f"{label}: Pelican has one category per post; kept {entry.categories[0]!r},"
                    f" the others became tags: {', '.join(extra)}"
                )
        if tags:
            meta["tags"] = tags
        meta["slug"] = self.slugs[entry.source_id]
        meta["status"] = entry.status
        if summary:
            meta["summary"] = summary
        if entry.old_url:
            meta["old_url"] = self._absolute_old(entry)
        if entry.comments:
            meta["comments"] = entry.comments
        elif entry.kind == "page" and entry.source_id in self.answered:
            # Pages of the old blog that had comments keep them open, legal pages included.
            meta["comments"] = "open"
        if entry.linkbacks:
            meta["linkbacks"] = entry.linkbacks
        text = "---\n" + _yaml(meta) + "---\n\n" + body
        self.files.append(Planned(path=path, text=text, label=label))
        if entry.status == "draft":
            self.report.counts["drafts"] += 1
        else:
            self.report.counts["pages" if entry.kind == "page" else "posts"] += 1

    def _responses(self) -> None:
        by_entry: dict[str, list[Response]] = {}
        known = {e.source_id for e in self.export.entries}
        for response in self.export.responses:
            if response.entry_ref not in known:
                self.report.skipped.append(
                    (f"{response.type} {response.id}",
                     f"belongs to {response.entry_ref}, which was not imported"))
                continue
            by_entry.setdefault(response.entry_ref, []).append(response)
        kinds = {e.source_id: e.kind for e in self.export.entries}
        for source_id, responses in by_entry.items():
            # A page's file lives in responses/pages/: a post may have the same slug.
            slug = ("pages/" if kinds[source_id] == "page" else "") + self.slugs[source_id]
            ids = {r.id for r in responses}
            seen: set[str] = set()
            records = []
            for response in sorted(responses, key=lambda r: (r.published, r.id)):
                where = f"{response.type} {response.id}"
                if response.id in seen:
                    self.report.skipped.append((where, "the same id twice in the export"))
                    continue
                seen.add(response.id)
                response.url = safe_url(response.url)
                response.author_url = safe_url(response.author_url)
                if response.type != "comment" and not response.url:
                    self.report.skipped.append((where, f"{response.type} without a source URL"))
                    continue
                if response.in_reply_to and response.in_reply_to not in ids:
                    self.report.notes.append(
                        f"responses/{slug}.yaml: {response.id} answers {response.in_reply_to},"
                        " which is not in the export; shown as a top-level comment")
                    response.in_reply_to = ""
                self.report.counts[response.type] += 1
                if response.status != "approved":
                    self.report.counts[response.status] += 1
                records.append(entry_record(dataclasses.asdict(response)))
            if records:
                self.responses[f"responses/{slug}.yaml"] = records

    def _redirects(self, entries: list[Entry]) -> None:
        new_urls = {url: source for source, url in self.urls.items()}
        for entry in entries:
            if entry.status != "published" or not entry.old_url:
                continue
            path = redirects_module.old_path(self._absolute_old(entry))
            new = self.urls[entry.source_id]
            label = f"{entry.source_id} {entry.title!r}"
            if path is None:
                self.report.notes.append(
                    f"{label}: old URL {entry.old_url} tells posts apart only by its query "
                    "string; no redirect (docs/umzug.md)")
                continue
            if path in (new, "/"):
                continue
            if path in new_urls or path.rstrip("/") + "/" in new_urls:
                self.report.notes.append(
                    f"{label}: old URL {path} is the new URL of another page; no redirect")
                continue
            self.redirects_for(path, new, entry.title)

    def redirects_for(self, path: str, new: str, title: str) -> None:
        self.report.redirects[path] = {"to": new, "title": title}


def plan(export: Export, options: Options) -> _Plan:
    """Everything the import would write, computed before anything is written."""
    manifest = load_manifest(options.content)
    planned = _Plan(export, options, manifest)
    planned.run()
    return planned


# --- writing ---------------------------------------------------------------------------


def _merge_responses(path: Path, records: list[dict]) -> tuple[str | None, int, str]:
    """New text of a responses file (None: nothing to add), number added, problem."""
    if not path.exists():
        return _yaml(records), len(records), ""
    try:
        old_text = path.read_text(encoding="utf-8")
        old = responses_format.existing_entries(old_text)
    except (OSError, UnicodeDecodeError) as error:
        return None, 0, f"not readable ({error}); fix it, then import again"
    except responses_format.FormatError as error:
        return None, 0, f"{error}; fix it, then import again"
    present = responses_format.known_ids(old)
    new = [r for r in records if r["id"] not in present]
    if not new:
        return None, 0, ""
    try:
        # every existing entry stays byte for byte, hand edits and comments included
        return responses_format.append_text(old_text, old, new, _yaml), len(new), ""
    except responses_format.FormatError:
        return None, 0, "new entries cannot be appended to its layout; add them by hand"


def write(planned: _Plan) -> Report:
    """Write what plan() decided; files edited since the last import are kept as they are."""
    options, report = planned.options, planned.report
    content = options.content
    manifest = dict(planned.manifest)
    if options.dry_run:
        return report
    for item in planned.files:
        target = content / item.path
        recorded = manifest.get(item.path)
        if target.exists():
            current = sha256(target.read_bytes())
            if recorded is None:
                report.kept.append((item.path, "exists and was not written by the import"))
                continue
            if current != recorded:
                report.kept.append((item.path, "edited since the last import"))
                continue
            if current == sha256(item.text):
                report.unchanged.append(item.path)
                continue
        elif recorded is not None:
            report.kept.append((item.path, f"deleted since the last import (remove its line "
                                           f"from content/{MANIFEST} to import it again)"))
            continue
        write_atomic(target, item.text)
        manifest[item.path] = sha256(item.text)
        report.written.append(item.path)
    for relative, records in sorted(planned.responses.items()):
        target = content / relative
        text, added, problem = _merge_responses(target, records)
        if problem:
            report.kept.append((relative, problem))
            continue
        if text is None:
            report.unchanged.append(relative)
            continue
        write_atomic(target, text)
        manifest[relative] = sha256(text)
        report.written.append(relative)
        report.counts["responses added"] += added
    if options.download_media:
        report.media_problems = media_module.download(report.media, content)
    if report.redirects:
        redirects_module.write_redirects(options.redirects_dir, report.redirects,
                                         options.site_url)
    write_atomic(content / MANIFEST, json.dumps(
        {"version": 1, "files": dict(sorted(manifest.items()))}, indent=2) + "\n")
    return report


def run_import(export: Export, options: Options) -> Report:
    """Plan everything, then write it: a fatal problem leaves no file half written."""
    return write(plan(export, options))
