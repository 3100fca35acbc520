/* Our comment form: without this script it is a plain form POST (the receiver answers with a
   303 to the thank-you page). With it: a signed time token is fetched when the form is shown,
   the comment is sent in the background with an inline answer, and "Antworten" links pick
   the comment to reply to. No framework, no third party: only the site's own receiver. */
(function () {
  "use strict";

  function say(form, text, kind) {
    var status = form.querySelector(".comment-form__status");
    status.textContent = text;
    status.className = "comment-form__status comment-form__status--" + kind;
  }

  function fetchToken(form) {
    var field = form.querySelector("input[name=token]");
    return fetch(form.getAttribute("data-token-url"), { credentials: "omit", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (data) { field.value = data.token || ""; })
      .catch(function () { field.value = ""; /* receiver away: the post says why */ });
  }

  function encode(form) {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled) { return; }
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) { return; }
      pairs.push(encodeURIComponent(element.name) + "=" + encodeURIComponent(element.value));
    });
    return pairs.join("&");
  }

  function send(form, event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(form, "Wird gesendet …", "busy");
    fetch(form.action, {
      method: "POST",
      credentials: "omit",
      // a simple request (no preflight): urlencoded body, Accept is always allowed
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
      body: encode(form)
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, message: "Der Kommentar konnte nicht gesendet werden (" + response.status + ")." };
        });
      })
      .then(function (data) {
        if (data.ok) {
          say(form, data.message, "ok");
          form.querySelector("textarea[name=text]").value = "";
          fetchToken(form);
        } else {
          say(form, data.message || "Der Kommentar konnte nicht gesendet werden.", "error");
        }
      })
      .catch(function () {
        say(form, "Der Kommentar konnte nicht gesendet werden: keine Verbindung zum Server.", "error");
      })
      .then(function () { button.disabled = false; });
  }

  function replyTo(form, link, event) {
    var select = form.querySelector("select[name=in_reply_to]");
    if (!select) { return; }
    event.preventDefault();
    select.value = link.getAttribute("data-reply-to");
    form.scrollIntoView({ block: "start" });
    form.querySelector("textarea[name=text]").focus();
  }

  function start() {
    var form = document.getElementById("kommentar-formular");
    if (!form || !window.fetch) { return; }
    fetchToken(form);
    form.addEventListener("submit", function (event) { send(form, event); });
    document.querySelectorAll(".responses-comment__reply").forEach(function (link) {
      link.addEventListener("click", function (event) { replyTo(form, link, event); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
