/* Comment form: works as a plain POST without this script. With it: a signed time token is
   fetched from the receiver when the reader starts on the form (not on every page view: no
   request, and no console error when the receiver is away, for readers who only read), the
   comment is sent in the background with an inline answer, and "Antworten" links pick the
   comment to reply to. */
(function () {
  "use strict";

  function say(form, text, kind) {
    var status = form.querySelector(".comment-form__status");
    status.textContent = text;
    status.className = "comment-form__status comment-form__status--" + kind;
  }

  function fetchToken(form) {
    var field = form.elements.token;
    return fetch(form.getAttribute("data-token-url"), { credentials: "omit", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (data) { field.value = data.token || ""; })
      .catch(function () { field.value = ""; });
  }

  function send(form, event, tokenReady) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var failed = "Der Kommentar konnte nicht gesendet werden";
    button.disabled = true;
    say(form, "Wird gesendet …", "busy");
    // urlencoded body and Accept only: a simple cross-origin request, no preflight
    tokenReady()
      .then(function () {
        return fetch(form.action, {
          method: "POST",
          credentials: "omit",
          headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
          body: new URLSearchParams(new FormData(form)).toString()
        });
      })
      .then(function (r) {
        return r.json().catch(function () { return { message: failed + " (" + r.status + ")." }; });
      })
      .then(function (data) {
        say(form, data.message || failed + ".", data.ok ? "ok" : "error");
        if (data.ok) { form.elements.text.value = ""; tokenReady(true); }
      })
      .catch(function () { say(form, failed + ": keine Verbindung zum Server.", "error"); })
      .then(function () { button.disabled = false; });
  }

  function start() {
    var form = document.getElementById("kommentar-formular");
    if (!form || !window.fetch) { return; }
    var pending = null;
    // the token's time starts when the reader starts writing; `fresh` after a sent comment
    function tokenReady(fresh) {
      if (!pending || fresh) { pending = fetchToken(form); }
      return pending;
    }
    form.addEventListener("focusin", function () { tokenReady(); });
    form.addEventListener("submit", function (event) { send(form, event, tokenReady); });
    document.querySelectorAll(".responses-comment__reply").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var select = form.elements.in_reply_to;
        if (!select) { return; }
        event.preventDefault();
        select.value = link.getAttribute("data-reply-to");
        form.scrollIntoView({ block: "start" });
        form.elements.text.focus();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
