// Resonanz in Decap CMS: our file format, previews in the site's look, checks before saving.
// The content model (list fields, field pairs, stylesheets) comes from resonanz-model.js,
// which the build writes from plugins/resonanz_core/fields.py.
import { parse, stringify } from "./yaml/index.js";

const CMS = window.CMS;
const model = window.RESONANZ_CMS;
const h = window.h;

const FRONT_MATTER = /^\s*---\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)([\s\S]*)$/;
const HEADER_LINE = /^([A-Za-z][\w-]*):\s*(.*)$/;

// A list field written on one line (Pelican's `Tags: a, b`) becomes a list.
function asList(name, value) {
  if (!(name in model.lists) || value == null || Array.isArray(value)) return value;
  const separator = model.lists[name];
  const parts = separator === null ? String(value).split(/\s+/) : String(value).split(separator);
  return parts.map((part) => part.trim()).filter(Boolean);
}

// Pelican's own header: `Key: value` lines up to the first blank line; indented lines continue.
function readPelicanHeader(text) {
  const lines = text.split(/\r?\n/);
  const metadata = {};
  let last = null;
  let index = 0;
  for (; index < lines.length; index += 1) {
    const line = lines[index];
    if (!line.trim()) break;
    const match = HEADER_LINE.exec(line);
    if (match) {
      last = match[1].toLowerCase();
      metadata[last] = match[2].trim();
    } else if (last && /^\s/.test(line)) {
      metadata[last] += " " + line.trim();
    } else {
      break;
    }
  }
  if (!last) return { metadata: {}, body: text };
  return { metadata, body: lines.slice(index).join("\n").replace(/^\n+/, "") };
}

function fromFile(text) {
  const match = FRONT_MATTER.exec(text);
  let metadata;
  let body;
  if (match) {
    metadata = parse(match[1]) || {};
    body = match[2].replace(/^\r?\n/, "");
  } else {
    ({ metadata, body } = readPelicanHeader(text));
  }
  const data = {};
  for (const [key, value] of Object.entries(metadata)) {
    const name = key.toLowerCase();
    // Pelican's header has only text: `Series_index: 2` is a number to the form
    const number = model.numbers.includes(name) && /^\s*\d+\s*$/.test(String(value));
    data[name] = number ? Number(value) : asList(name, value);
  }
  data.body = body;
  return data;
}

function isEmpty(value) {
  return value == null || value === "" || (Array.isArray(value) && value.length === 0);
}

// YAML front matter in the order of the form; empty fields are left out. YAML 1.1 rules
// for quoting, because the build reads with PyYAML: `off` or `yes` unquoted would be booleans.
function toFile(data, sortedKeys = []) {
  const { body = "", ...metadata } = data;
  const ordered = {};
  for (const name of [...sortedKeys, ...Object.keys(metadata)]) {
    if (name in metadata && !(name in ordered) && !isEmpty(metadata[name])) {
      ordered[name] = metadata[name];
    }
  }
  const header = stringify(ordered, { version: "1.1", lineWidth: 0 });
  const text = String(body).replace(/^\n+/, "");
  return `---\n${header}---\n\n${text}${text.endsWith("\n") ? "" : "\n"}`;
}

CMS.registerCustomFormat("resonanz-markdown", "md", { fromFile, toFile });

// The slug the build would make from the title (German letters as ae, oe, ue, ss).
function slugify(title) {
  let text = String(title).toLowerCase();
  for (const [letter, replacement] of model.slugLetters) text = text.split(letter).join(replacement);
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9\s-]/g, "")
    .trim()
    .replace(/[-\s]+/g, "-");
}

// Checks Decap cannot express in its configuration: a field that needs another one.
CMS.registerEventListener({
  name: "preSave",
  handler: ({ entry }) => {
    let data = entry.get("data");
    for (const [field, needed, label, neededLabel] of model.pairs) {
      if (!isEmpty(data.get(field)) && !String(data.get(needed) || "").trim()) {
        throw new Error(`„${neededLabel}“ fehlt: Pflicht, sobald „${label}“ gesetzt ist.`);
      }
    }
    // one episode = files sharing a name: the show notes take the audio file's name
    const audio = entry.get("collection") === "episodes" && data.get("audio");
    if (audio) {
      const stem = String(audio).split("/").pop().replace(/\.[^.]+$/, "");
      const notes = entry.get("newRecord")
        ? data.get("slug") || stem
        : String(entry.get("path")).split("/").pop().replace(/\.md$/, "");
      if (notes !== stem) {
        throw new Error(`Audiodatei „${audio}“ und Shownotes „${notes}.md“ heißen verschieden: `
          + `benenne die Audiodatei „${notes}${String(audio).replace(/^.*(\.[^.]+)$/, "$1")}“ `
          + "oder lass den Kurznamen leer.");
      }
      if (entry.get("newRecord") && !data.get("slug")) data = data.set("slug", stem);
    }
    if (entry.get("newRecord") && !data.get("slug") && data.get("title")) {
      data = data.set("slug", slugify(data.get("title")));
    }
    return data;
  },
});

// --- previews in the site's look: the theme's stylesheets and the page's markup -------
for (const href of model.previewStyles) {
  CMS.registerPreviewStyle(new URL(href, document.baseURI).href);
}

// site.css sets `audio { height: auto }`, which Chromium draws 0 px tall (DESIGN.md,
// known pitfalls); the preview player needs its height until the theme has its own.
CMS.registerPreviewStyle("audio.episode-audio { height: 3.25rem; }", { raw: true });

function germanDate(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(String(value || ""));
  if (!match) return "";
  const [, year, month, day] = match;
  return new Intl.DateTimeFormat("de-DE", { dateStyle: "long" }).format(
    new Date(Number(year), Number(month) - 1, Number(day)),
  );
}

function listOf(data, name) {
  const value = data.get(name);
  if (!value) return [];
  // while an editor types, the list widget holds "a, b" as one item; it splits on saving
  const items = typeof value.toArray === "function" ? value.toArray() : [value];
  return items.flatMap((item) => asList(name, String(item)) || []);
}

function asset(props, name) {
  const value = props.entry.getIn(["data", name]);
  if (!value) return "";
  const field = props.fields.find((f) => f.get("name") === name);
  return String(props.getAsset(value, field) || "");
}

function page(...children) {
  return h("div", { className: "is-article" }, h("main", { className: "wrap site-main" }, ...children));
}

const PostPreview = window.createClass({
  render() {
    const data = this.props.entry.get("data");
    const tags = listOf(data, "tags");
    const authors = listOf(data, "authors");
    const image = asset(this.props, "image");
    const series = data.get("series");
    return page(
      h("article", { className: "h-entry article" },
        h("header", { className: "article__header" },
          data.get("category") ? h("p", { className: "kicker" }, h("a", { href: "#" }, data.get("category"))) : null,
          h("h1", { className: "p-name" }, data.get("title") || "Ohne Titel"),
          h("p", { className: "meta" },
            "Veröffentlicht am ", h("time", null, germanDate(data.get("date"))),
            authors.length ? ` · von ${authors.join(", ")}` : "")),
        image ? h("figure", { className: "article__image" },
          h("img", { src: image, alt: data.get("image_alt") || "", width: 1200, height: 630 })) : null,
        series ? h("p", { className: "series-note" },
          `Teil ${data.get("series_index") || "?"} der Serie „${series}“`) : null,
        h("div", { className: "e-content prose" }, this.props.widgetFor("body")),
        tags.length ? h("p", { className: "tags" }, "Schlagwörter: ",
          tags.flatMap((tag, i) => [i ? ", " : "", h("a", { key: tag, className: "p-category", href: "#" }, tag)])) : null),
    );
  },
});

function fact(label, value, wide = false) {
  if (!value || (Array.isArray(value) && !value.length)) return null;
  return h("div", { key: label, className: wide ? "case-facts__wide" : "" },
    h("dt", null, label), h("dd", null, Array.isArray(value) ? value.join(", ") : String(value)));
}

const CaseStudyPreview = window.createClass({
  render() {
    const data = this.props.entry.get("data");
    const brand = data.get("brand");
    const sources = listOf(data, "sources");
    return h("div", { className: "case-study-page" }, h("main", { className: "wrap site-main" },
      h("article", { className: "case-study h-entry" },
        h("header", { className: "article__header" },
          h("p", { className: "kicker" }, "Fallstudie", brand ? ` · ${brand}` : ""),
          h("h1", { className: "p-name" }, data.get("title") || "Ohne Titel"),
          h("p", { className: "meta" }, "Veröffentlicht am ", h("time", null, germanDate(data.get("date"))))),
        h("aside", { className: "case-facts" },
          h("h2", { className: "case-facts__title" }, "Auf einen Blick"),
          h("dl", { className: "case-facts__list" },
            fact("Marke", brand), fact("Branche", data.get("industry")), fact("Jahr", data.get("year")),
            fact("Kanäle", listOf(data, "channel")),
            fact("Herausforderung", data.get("challenge"), true),
            fact("Ergebnis", data.get("outcome"), true))),
        h("div", { className: "e-content prose" }, this.props.widgetFor("body")),
        sources.length ? h("section", null, h("h2", null, "Quellen"),
          h("ul", null, sources.map((url) => h("li", { key: url }, h("a", { href: url }, url))))) : null)));
  },
});

const EpisodePreview = window.createClass({
  render() {
    const data = this.props.entry.get("data");
    // without an `audio` field the episode's audio is the file with the notes' name
    const slug = this.props.entry.get("slug");
    const audio = asset(this.props, "audio")
      || (slug && !this.props.entry.get("newRecord") ? String(this.props.getAsset(`${slug}.mp3`)) : "");
    const cover = asset(this.props, "cover");
    const number = data.get("number");
    return page(
      h("article", { className: "episode h-entry" },
        h("header", { className: "episode__header" },
          h("p", { className: "kicker" }, number != null && number !== "" ? `Folge ${number}` : "Podcast"),
          h("h1", { className: "p-name" }, data.get("title") || "Ohne Titel"),
          h("p", { className: "meta" }, h("time", null, germanDate(data.get("date"))))),
        h("div", { className: "episode__player" },
          cover ? h("img", { className: "episode__cover", src: cover, alt: "Cover der Folge", width: 300, height: 300 }) : null,
          audio ? h("audio", { className: "episode-audio", controls: true, preload: "metadata", src: audio }) : null),
        data.get("summary") ? h("p", { className: "p-summary" }, data.get("summary")) : null,
        h("div", { className: "e-content prose" }, this.props.widgetFor("body"))),
    );
  },
});

CMS.registerPreviewTemplate("posts", PostPreview);
CMS.registerPreviewTemplate("case-studies", CaseStudyPreview);
CMS.registerPreviewTemplate("pages", PostPreview);
CMS.registerPreviewTemplate("episodes", EpisodePreview);

CMS.init();
// the static page (heading, "wird geladen") gives way to Decap's interface
document.querySelector(".cms-loading")?.remove();
