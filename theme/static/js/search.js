/* Search page: queries this site's own Pagefind bundle (no third party) and lists the hits. */
(function () {
  "use strict";
  var form = document.querySelector("[data-search-form]");
  var list = document.querySelector("[data-search-results]");
  if (!form || !list) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var status = document.querySelector("[data-search-status]");
  var filterBox = form.querySelector("[data-search-filters]");
  var fallback = document.querySelector("[data-search-fallback]");
  // Relative URLs (RELATIVE_URLS builds) resolved against this page, so the site can live
  // in a sub-folder and still find its bundle and link its results.
  var bundle = new URL(form.getAttribute("data-bundle"), document.baseURI).href;
  var root = new URL(form.getAttribute("data-site-root"), document.baseURI).pathname;
  var latest = 0;
  var timer = null;

  function text(key, values) {
    var template = form.getAttribute("data-text-" + key) || "";
    return template.replace("{n}", values && values.n).replace("{q}", values && values.q);
  }

  // A build that changed only a few pages since the last full index wrote them into a
  // small delta index and listed, in delta.json, the main index's results they replace
  // (resonanz_search/delta.py); without delta.json the main index is all there is.
  function languageIndex(languages) {
    var lang = (document.documentElement.getAttribute("lang") || "unknown").toLowerCase();
    if (languages[lang]) {
      return lang;
    }
    if (languages[lang.split("-")[0]]) {
      return lang.split("-")[0];
    }
    return Object.keys(languages).sort(function (a, b) {
      return languages[b] - languages[a];
    })[0];
  }

  function loadDelta(pagefind) {
    var none = { hidden: {}, filters: {} };
    // no-store: a conditional request compares modification times in whole seconds, so
    // a manifest written within the second of the cached one would be taken as the same
    return fetch(bundle + "delta.json", { cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (manifest) {
        if (!manifest) {
          return none;
        }
        var hidden = {};
        (manifest.hide || []).forEach(function (id) {
          hidden[id] = true;
        });
        // Pagefind searches one language index of each bundle: the page's language, else
        // its first part, else the largest. The delta is merged only where it has the
        // one the main bundle uses (its fallback would be another language).
        var lang = languageIndex(manifest.languages || {});
        var merged =
          manifest.bundle && manifest.delta_languages && manifest.delta_languages[lang]
            ? pagefind.mergeIndex(new URL(manifest.bundle, bundle).href, { baseUrl: root, language: lang })
            : Promise.resolve();
        return merged.then(function () {
          return { hidden: hidden, filters: (manifest.filters || {})[lang] || {} };
        });
      })
      .catch(function () {
        return none; // the main index alone: older text of a few pages, still a search
      });
  }

  var ready = import(bundle + "pagefind.js").then(function (pagefind) {
    return pagefind
      .options({ baseUrl: root })
      .then(function () {
        return pagefind.init();
      })
      .then(function () {
        return loadDelta(pagefind);
      })
      .then(function (delta) {
        return { pagefind: pagefind, hidden: delta.hidden, filters: delta.filters };
      });
  });

  // The results of the main index that the delta replaces or that were removed; a page
  // whose indexed text did not change has the same id in both indexes and is kept once.
  function current(results, hidden) {
    var seen = {};
    return results.filter(function (result) {
      if (hidden[result.id] || seen[result.id]) {
        return false;
      }
      seen[result.id] = true;
      return true;
    });
  }

  function selectedTypes() {
    return Array.prototype.slice
      .call(filterBox.querySelectorAll("input:checked"))
      .map(function (box) {
        return box.value;
      });
  }

  // Pagefind's excerpt is text with <mark> around the hits; keep exactly that, nothing else.
  function excerptNodes(excerpt) {
    var doc = new DOMParser().parseFromString("<p>" + excerpt + "</p>", "text/html");
    var fragment = document.createDocumentFragment();
    Array.prototype.forEach.call(doc.body.firstChild.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(node.textContent));
      }
    });
    return fragment;
  }

  function render(hits) {
    list.textContent = "";
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      item.className = "search-result";
      var type = hit.filters && hit.filters.type ? hit.filters.type[0] : "";
      if (type) {
        var kind = document.createElement("span");
        kind.className = "search-result__type";
        kind.textContent = type;
        item.appendChild(kind);
      }
      var title = document.createElement("a");
      title.className = "search-result__link";
      title.href = hit.url;
      title.textContent = (hit.meta && hit.meta.title) || hit.url;
      item.appendChild(title);
      var excerpt = document.createElement("p");
      excerpt.className = "search-result__excerpt";
      excerpt.appendChild(excerptNodes(hit.excerpt || ""));
      item.appendChild(excerpt);
      list.appendChild(item);
    });
  }

  function run(query) {
    var ticket = ++latest;
    var url = new URL(window.location.href);
    url.searchParams.set("q", query);
    window.history.replaceState(null, "", url.pathname + url.search);
    if (!query.trim()) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    status.textContent = text("loading");
    ready
      .then(function (state) {
        var types = selectedTypes();
        var options = types.length ? { filters: { type: { any: types } } } : {};
        return state.pagefind.search(query, options).then(function (search) {
          return current(search.results, state.hidden);
        });
      })
      .then(function (results) {
        var first = results.slice(0, 20).map(function (result) {
          return result.data();
        });
        return Promise.all(first).then(function (hits) {
          if (ticket !== latest) {
            return;
          }
          render(hits);
          var count = results.length;
          status.textContent = count ? text("count", { n: count, q: query }) : text("none", { q: query });
        });
      })
      .catch(function () {
        status.textContent = text("error");
      });
  }

  ready
    .then(function (state) {
      return state.pagefind.filters().then(function (filters) {
        // Pagefind adds up the counts of both indexes: the hidden pages are taken off
        var types = (filters && filters.type) || {};
        var hidden = state.filters.type || {};
        var counts = {};
        Object.keys(types).forEach(function (name) {
          if (types[name] - (hidden[name] || 0) > 0) {
            counts[name] = types[name] - (hidden[name] || 0);
          }
        });
        return counts;
      });
    })
    .then(function (types) {
      Object.keys(types)
        .sort()
        .forEach(function (name) {
          var label = document.createElement("label");
          var box = document.createElement("input");
          box.type = "checkbox";
          box.name = "typ";
          box.value = name;
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + name + " (" + types[name] + ")"));
          filterBox.appendChild(label);
        });
      filterBox.hidden = Object.keys(types).length === 0;
    })
    .catch(function () {
      status.textContent = text("error");
    });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      run(input.value);
    }, 250);
  });
  filterBox.addEventListener("change", function () {
    run(input.value);
  });
  if (fallback) {
    fallback.hidden = true;
  }
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run(initial);
  }
})();
