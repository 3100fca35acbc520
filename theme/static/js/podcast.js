/* Podcast player: chapter and transcript links (#t=HH:MM:SS) seek the episode's <audio>.
   Without JavaScript the links stay ordinary #t= fragments (Podlove deep-link format). */
(function () {
  "use strict";

  function seconds(value) {
    var parts = String(value).replace(",", ".").split(":");
    var total = 0;
    for (var i = 0; i < parts.length; i += 1) {
      var n = parseFloat(parts[i]);
      if (isNaN(n)) { return null; }
      total = total * 60 + n;
    }
    return total;
  }

  function fromHash(hash) {
    var match = /^#t=([0-9:.,]+)/.exec(hash || "");
    return match ? seconds(match[1]) : null;
  }

  function seek(audio, start, play) {
    if (start === null || !audio) { return; }
    var go = function () {
      audio.currentTime = start;
      if (play) {
        var promise = audio.play();
        if (promise && promise.catch) { promise.catch(function () {}); }
      }
    };
    if (audio.readyState >= 1) { go(); } else {
      audio.addEventListener("loadedmetadata", go, { once: true });
      audio.load();
    }
  }

  function init() {
    var audio = document.querySelector("audio.episode-audio");
    if (!audio) { return; }
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a.chapter-link") : null;
      if (!link) { return; }
      event.preventDefault();
      var start = link.hasAttribute("data-start") ? parseFloat(link.getAttribute("data-start"))
        : fromHash(link.getAttribute("href"));
      seek(audio, start, true);
      if (window.history && history.replaceState) {
        history.replaceState(null, "", link.getAttribute("href"));
      }
    });
    window.addEventListener("hashchange", function () { seek(audio, fromHash(location.hash), true); });
    // A shared link such as /episoden/zuhoeren/#t=00:01:30 starts at that point (without autoplay).
    seek(audio, fromHash(location.hash), false);

    // Mark the chapter that is playing, for sighted and screen-reader users alike.
    var links = Array.prototype.slice.call(document.querySelectorAll(".chapter-list a.chapter-link"));
    audio.addEventListener("timeupdate", function () {
      var current = null;
      links.forEach(function (link) {
        if (parseFloat(link.getAttribute("data-start")) <= audio.currentTime + 0.05) { current = link; }
      });
      links.forEach(function (link) {
        if (link === current) { link.setAttribute("aria-current", "true"); }
        else { link.removeAttribute("aria-current"); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else { init(); }
}());
