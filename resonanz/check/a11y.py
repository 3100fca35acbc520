"""Accessibility basics every page must have, checked in the static HTML (axe adds the rest)."""

from __future__ import annotations

from pathlib import Path

from lxml import html

from resonanz.check.links import where
from resonanz.check.report import CheckResult, describe
from resonanz.check.site import Site

# Pages made to live inside an iframe (the episode embed player) are fragments of someone
# else's page: they need no h1 and no landmarks of their own.
EMBED_FOLDER = "embed"
# Inputs that carry their own label (their value) or are not shown.
SELF_LABELLED_INPUTS = {"hidden", "submit", "reset", "button", "image"}


def is_embed(site: Site, path: Path) -> bool:
    return EMBED_FOLDER in Path(site.rel(path)).parts[:-1]


def accessible_name(element: html.HtmlElement) -> str:
    """A rough accessible name: aria-label(ledby), title, text, or alt text of images inside."""
    for attribute in ("aria-label", "aria-labelledby", "title"):
        if (element.get(attribute) or "").strip():
            return element.get(attribute).strip()
    text = element.text_content().strip()
    if text:
        return text
    alts = [img.get("alt", "").strip() for img in element.iter("img")]
    labels = [(e.get("aria-label") or "").strip() for e in element.iter("svg")]
    return " ".join(a for a in alts + labels if a)


def check_accessibility(site: Site) -> CheckResult:
    result = CheckResult("a11y")
    for path in site.html_files:
        doc = site.document(path)
        if doc is None:
            result.error(site.rel(path), "", "page is empty or not HTML")
            continue
        result.checked += 1
        _check_page(site, path, doc, result)
    return result


def _check_page(site: Site, path: Path, doc: html.HtmlElement, result: CheckResult) -> None:
    page = site.rel(path)
    if not (doc.get("lang") or "").strip():
        result.error(page, "<html>", "no lang attribute: screen readers guess the language")
    title = doc.find(".//title")
    if title is None or not title.text_content().strip():
        result.error(page, "<title>", "page has no title")
    if not is_embed(site, path):
        h1s = doc.xpath("//h1")
        if len(h1s) != 1:
            result.error(page, "<h1>", f"expected exactly one h1, found {len(h1s)}")
        mains = doc.xpath("//main | //*[@role='main']")
        if len(mains) != 1:
            result.error(page, "<main>", f"expected exactly one main landmark, found {len(mains)}")
    for img in doc.iter("img"):
        if img.get("alt") is None:
            result.error(
                where(site, path, img),
                describe("img", src=img.get("src")),
                'image has no alt attribute (alt="" if it is decorative)',
            )
    for area in doc.xpath("//area[@href][not(@alt)] | //input[@type='image'][not(@alt)]"):
        result.error(where(site, path, area), describe(area.tag), "no alt attribute")
    hidden_from_readers = "ancestor-or-self::*[@aria-hidden='true']"
    for link in doc.xpath(f"//a[@href][not(@hidden)][{hidden_from_readers}]"):
        if link.get("tabindex") != "-1":
            result.error(
                where(site, path, link),
                describe("a", href=link.get("href")),
                'aria-hidden link is still focusable (add tabindex="-1")',
            )
    # hidden and aria-hidden links are not announced, so they need no text
    for link in doc.xpath(f"//a[@href][not(@hidden)][not({hidden_from_readers})]"):
        if not accessible_name(link):
            result.error(
                where(site, path, link),
                describe("a", href=link.get("href")),
                "link has no text (add text, an img alt or aria-label)",
            )
    for button in doc.iter("button"):
        if not accessible_name(button):
            result.error(where(site, path, button), "<button>", "button has no text or label")
    for frame in doc.iter("iframe"):
        if not (frame.get("title") or "").strip():
            result.error(
                where(site, path, frame),
                describe("iframe", src=frame.get("src")),
                "iframe has no title",
            )
    labelled = {label.get("for") for label in doc.iter("label") if label.get("for")}
    for field in doc.xpath("//input | //select | //textarea"):
        if field.tag == "input" and (field.get("type") or "text").lower() in SELF_LABELLED_INPUTS:
            continue
        if (
            field.get("id") in labelled
            or field.xpath("ancestor::label")
            or any((field.get(a) or "").strip() for a in ("aria-label", "aria-labelledby", "title"))
        ):
            continue
        result.error(
            where(site, path, field),
            describe(field.tag, name=field.get("name"), id=field.get("id")),
            "form field has no label",
        )
