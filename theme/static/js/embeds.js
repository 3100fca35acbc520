/* Embeds plugin: click-to-load videos, copy buttons, the Mastodon share form.
   Everything is configured by data- attributes (no inline script). Without JavaScript the
   video placeholder is a plain link to the provider and the share links are plain links. */
(function () {
  "use strict";

  // The only hosts a placeholder may load, whatever its data attribute says.
  var PLAYER_HOSTS = ["www.youtube-nocookie.com", "player.vimeo.com"];
  var INSTANCE = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
  var STORAGE_KEY = "resonanz.mastodon.instanz";

  function allowedPlayer(src) {
    try {
      var url = new URL(src, window.location.href);
      return url.protocol === "https:" && PLAYER_HOSTS.indexOf(url.hostname) !== -1;
    } catch (error) {
      return false;
    }
  }

  function loadVideo(figure) {
    var src = figure.getAttribute("data-embed-src");
    if (!allowedPlayer(src)) { return false; }
    var frame = document.createElement("iframe");
    frame.className = "embed__frame";
    frame.src = src;
    frame.title = figure.getAttribute("data-embed-title") || "Video";
    frame.width = "640";
    frame.height = "360";
    frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    frame.setAttribute("allowfullscreen", "");
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    var link = figure.querySelector(".embed__link");
    figure.replaceChild(frame, link);
    figure.classList.add("embed--loaded");
    frame.focus();
    return true;
  }

  function announce(element, container, text) {
    var status = container ? container.querySelector("[role=status]") : null;
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return Promise.reject(new Error("no clipboard"));
  }

  function onClick(event) {
    var target = event.target;
    if (!target.closest) { return; }
    var videoLink = target.closest("figure[data-embed-src] .embed__link");
    if (videoLink) {
      if (loadVideo(videoLink.closest("figure[data-embed-src]"))) { event.preventDefault(); }
      return;
    }
    var copyLink = target.closest("[data-embeds-copy]");
    if (copyLink && navigator.clipboard && window.isSecureContext) {
      event.preventDefault();
      copy(copyLink.getAttribute("data-embeds-copy")).then(function () {
        announce(copyLink, copyLink.closest("[data-embeds-share]"), copyLink.getAttribute("data-embeds-done"));
      }, function () {});
      return;
    }
    var copyButton = target.closest("[data-embeds-copy-from]");
    if (copyButton) {
      var field = document.getElementById(copyButton.getAttribute("data-embeds-copy-from"));
      if (!field) { return; }
      field.select();
      copy(field.value).then(function () {
        announce(copyButton, copyButton.parentNode, copyButton.getAttribute("data-embeds-done"));
      }, function () {});
    }
  }

  function normaliseInstance(value) {
    // Accept "mastodon.social", "https://mastodon.social/" and "@name@mastodon.social".
    var text = String(value || "").trim().toLowerCase();
    text = text.replace(/^https?:\/\//, "").replace(/^@?[^@\/]+@/, "").replace(/\/.*$/, "");
    return INSTANCE.test(text) ? text : "";
  }

  function initMastodon(form) {
    var params = new URLSearchParams(window.location.search);
    var text = [params.get("text") || "", params.get("url") || ""].join(" ").trim();
    var area = document.getElementById("mastodon-text");
    if (area) {
      area.value = text;
      area.closest(".share-mastodon__preview").hidden = false;
    }
    var input = form.querySelector("input[name=instanz]");
    try {
      input.value = window.localStorage.getItem(STORAGE_KEY) || "";
    } catch (error) { /* storage blocked: nothing remembered */ }
    form.hidden = false;
    var nojs = document.querySelector("[data-embeds-nojs]");
    if (nojs) { nojs.hidden = true; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var instance = normaliseInstance(input.value);
      var error = form.querySelector(".share-mastodon__error");
      if (!instance) {
        error.textContent = form.getAttribute("data-embeds-invalid");
        input.focus();
        return;
      }
      try { window.localStorage.setItem(STORAGE_KEY, instance); } catch (ignored) { /* fine */ }
      window.location.href = "https://" + instance + "/share?text=" + encodeURIComponent(area ? area.value : text);
    });
  }

  function init() {
    document.addEventListener("click", onClick);
    Array.prototype.forEach.call(document.querySelectorAll("[data-embeds-copy-from]"), function (button) {
      button.hidden = false;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-embeds-select]"), function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
    var form = document.querySelector("form[data-embeds-mastodon]");
    if (form) { initMastodon(form); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else { init(); }
}());
