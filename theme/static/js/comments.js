/* Click-to-load comment widgets: nothing from the provider loads before the reader asks.
   Configuration comes from data- attributes written by partials/responses.html (no inline script). */
(function () {
  "use strict";

  var STORAGE_PREFIX = "resonanz.kommentare.";

  function readJson(element, name) {
    try {
      return JSON.parse(element.getAttribute(name) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function remembered(provider) {
    try {
      return window.localStorage.getItem(STORAGE_PREFIX + provider) === "laden";
    } catch (error) {
      return false; // storage blocked: ask every time
    }
  }

  function remember(provider) {
    try {
      window.localStorage.setItem(STORAGE_PREFIX + provider, "laden");
    } catch (error) {
      /* storage blocked: the choice simply is not kept */
    }
  }

  function setGlobals(config) {
    // Some providers read their settings from globals instead of attributes.
    if (config.remark_config) {
      window.remark_config = config.remark_config;
    }
    if (config.disqus) {
      var page = config.disqus;
      window.disqus_config = function () {
        this.page.url = page.url;
        this.page.identifier = page.identifier;
        this.page.title = page.title;
        this.language = page.language;
      };
    }
  }

  // A provider that has not delivered its script by then is treated as unreachable.
  var TIMEOUT_MS = 6000;

  var attempts = 0;

  function showFailure(placeholder, mount, script, attempt) {
    var status = placeholder.querySelector(".responses-widget__status");
    // a late error of an attempt given up already must not end the current one
    if (!status || attempt !== attempts || placeholder.getAttribute("data-comments-loaded") !== "1") {
      return;
    }
    placeholder.setAttribute("data-comments-loaded", "failed");
    mount.remove();
    script.remove();
    status.textContent = placeholder.getAttribute("data-text-failed") || "";
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "responses-widget__retry button";
    retry.textContent = placeholder.getAttribute("data-text-retry") || "Retry";
    retry.addEventListener("click", function () {
      status.hidden = true;
      status.textContent = "";
      load(placeholder);
    });
    status.appendChild(document.createTextNode(" "));
    status.appendChild(retry);
    status.hidden = false;
    retry.focus();
  }

  function load(placeholder) {
    if (placeholder.getAttribute("data-comments-loaded") === "1") {
      return;
    }
    placeholder.setAttribute("data-comments-loaded", "1");
    var target = placeholder.querySelector(".responses-widget__target") || placeholder;
    var container = readJson(placeholder, "data-comments-container");
    var attrs = readJson(placeholder, "data-comments-script-attrs");
    setGlobals(readJson(placeholder, "data-comments-config"));

    var mount = document.createElement(container.tag || "div");
    var containerAttrs = container.attrs || {};
    Object.keys(containerAttrs).forEach(function (name) {
      mount.setAttribute(name, containerAttrs[name]);
    });
    target.appendChild(mount);

    var script = document.createElement("script");
    Object.keys(attrs).forEach(function (name) {
      script.setAttribute(name, attrs[name]);
    });
    var attempt = ++attempts;
    var timer = window.setTimeout(function () { showFailure(placeholder, mount, script, attempt); },
      Number(placeholder.getAttribute("data-comments-timeout")) || TIMEOUT_MS);
    script.addEventListener("load", function () { window.clearTimeout(timer); });
    script.addEventListener("error", function () {
      window.clearTimeout(timer);
      showFailure(placeholder, mount, script, attempt);
    });
    script.src = placeholder.getAttribute("data-comments-script");
    script.async = true;
    // giscus renders next to its script, the others look for their container by id.
    (placeholder.getAttribute("data-comments-provider") === "giscus" ? mount : target).appendChild(script);

    var notice = placeholder.querySelector(".responses-widget__notice");
    var actions = placeholder.querySelector(".responses-widget__actions");
    if (notice) { notice.hidden = true; }
    if (actions) { actions.hidden = true; }
  }

  function init() {
    var placeholders = document.querySelectorAll(".responses-widget[data-comments-provider]");
    Array.prototype.forEach.call(placeholders, function (placeholder) {
      var provider = placeholder.getAttribute("data-comments-provider");
      if (remembered(provider)) {
        load(placeholder);
        return;
      }
      var button = placeholder.querySelector(".responses-widget__load");
      var box = placeholder.querySelector(".responses-widget__remember-box");
      if (!button) {
        return;
      }
      button.addEventListener("click", function () {
        if (box && box.checked) {
          remember(provider);
        }
        load(placeholder);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
