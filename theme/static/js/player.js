/* Resonanz podcast player: turns the native <audio controls> of an episode into our bar
   (play, skip, speed, time, chapters, keyboard, lock screen) and plays episodes from lists.
   Without this script the native controls stay. Labels come from the page, not from here.
   The only thing stored is the listening position per episode and the chosen speed, in
   localStorage (no cookie, nothing sent anywhere). */
(function () {
  "use strict";

  var POSITION_KEY = "resonanz:position:";
  var SPEED_KEY = "resonanz:speed";
  var MIN_RESUME = 5; // seconds; earlier than this a listener has not really started

  function clock(seconds, roundUp) {
    var total = Math.max(0, (roundUp ? Math.ceil : Math.floor)(seconds || 0));
    var h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), s = total % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function store(key, value) {
    // Private windows and full or blocked storage throw: the player works on without it.
    try {
      if (value === null) { localStorage.removeItem(key); } else { localStorage.setItem(key, value); }
    } catch (e) { /* not stored */ }
  }

  function stored(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  function parseTime(text) {
    var total = 0, parts = String(text).replace(",", ".").split(":");
    for (var i = 0; i < parts.length; i += 1) {
      var n = parseFloat(parts[i]);
      if (isNaN(n)) { return null; }
      total = total * 60 + n;
    }
    return total;
  }

  function hashTime() {
    var match = /^#t=([0-9:.,]+)/.exec(location.hash || "");
    return match ? parseTime(match[1]) : null;
  }

  function quietly(promise) {
    if (promise && promise.catch) { promise.catch(function () {}); }
  }

  /* Remembers where a listener stopped, per episode GUID, and the speed for all episodes.
     Returns use(guid): switch to that episode, get its saved position (or null). */
  function remember(audio) {
    var key = null, lastSaved = -1;
    function save() {
      if (!key) { return; }
      var t = audio.currentTime, d = audio.duration;
      // The last seconds (10, or a tenth of a short episode) count as heard to the end.
      if (audio.ended || (d && d - t < Math.min(10, d / 10))) { store(key, null); return; }
      if (t >= MIN_RESUME && Math.abs(t - lastSaved) >= 1) { store(key, String(Math.floor(t))); lastSaved = t; }
    }
    audio.addEventListener("timeupdate", function () {
      if (!audio.paused && Math.abs(audio.currentTime - lastSaved) >= 5) { save(); }
    });
    audio.addEventListener("pause", save);
    audio.addEventListener("ended", save);
    window.addEventListener("pagehide", save);
    audio.addEventListener("ratechange", function () { store(SPEED_KEY, String(audio.playbackRate)); });
    var speed = parseFloat(stored(SPEED_KEY));
    if (speed >= 0.5 && speed <= 3) { audio.defaultPlaybackRate = audio.playbackRate = speed; }
    return function use(guid) {
      save(); // the episode playing until now keeps its place
      key = POSITION_KEY + guid;
      lastSaved = -1;
      var position = parseFloat(stored(key));
      return position >= MIN_RESUME ? position : null;
    };
  }

  function seekTo(audio, seconds, play) {
    if (seconds === null || isNaN(seconds)) { return; }
    function go() {
      audio.currentTime = Math.max(0, Math.min(seconds, audio.duration || seconds));
      if (play) { quietly(audio.play()); }
    }
    if (audio.readyState >= 1) { go(); } else {
      audio.addEventListener("loadedmetadata", go, { once: true });
      if (audio.preload === "none" || audio.networkState === 0) { audio.load(); }
    }
  }

  /* Lock screen and media keys: title, show, artwork, the current chapter, seek actions. */
  function mediaSession(audio, info) {
    if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") { return function () {}; }
    var session = navigator.mediaSession;
    function update(chapter) {
      try {
        session.metadata = new MediaMetadata({
          title: chapter ? chapter.title : info.title,
          artist: info.show,
          album: chapter ? info.title : info.show,
          artwork: info.artwork,
          chapterInfo: info.chapters.map(function (c) {
            return { title: c.title, startTime: c.start, artwork: info.artwork };
          })
        });
      } catch (e) { /* an older browser that knows no chapterInfo */
        session.metadata = new MediaMetadata({ title: info.title, artist: info.show, artwork: info.artwork });
      }
    }
    var actions = {
      play: function () { quietly(audio.play()); },
      pause: function () { audio.pause(); },
      seekbackward: function (d) { audio.currentTime = Math.max(0, audio.currentTime - (d.seekOffset || 15)); },
      seekforward: function (d) { audio.currentTime = Math.min(audio.duration || Infinity, audio.currentTime + (d.seekOffset || 30)); },
      seekto: function (d) { audio.currentTime = d.seekTime; },
      previoustrack: info.chapters.length ? function () { info.jump(-1); } : null,
      nexttrack: info.chapters.length ? function () { info.jump(1); } : null
    };
    audio.addEventListener("play", function () {
      update(info.current());
      Object.keys(actions).forEach(function (name) {
        try { session.setActionHandler(name, actions[name]); } catch (e) { /* action unknown here */ }
      });
    });
    audio.addEventListener("timeupdate", function () {
      if (session.setPositionState && audio.duration && isFinite(audio.duration)) {
        try {
          session.setPositionState({ duration: audio.duration, playbackRate: audio.playbackRate,
            position: Math.min(audio.currentTime, audio.duration) });
        } catch (e) { /* position outside the duration while loading */ }
      }
    });
    return update;
  }

  function enhance(root) {
    var audio = root.querySelector("audio");
    var ui = root.querySelector(".podplayer__ui");
    var playButton = ui.querySelector(".podplayer__play");
    var seek = ui.querySelector(".podplayer__seek");
    var elapsed = ui.querySelector(".podplayer__elapsed");
    var remaining = ui.querySelector(".podplayer__remaining");
    var chapterLine = ui.querySelector(".podplayer__chapter");
    var speed = ui.querySelector(".podplayer__speed");
    var data = root.dataset;
    var chapters = JSON.parse(data.chapters || "[]");
    var known = parseFloat(data.duration) || 0;
    var links = Array.prototype.slice.call(document.querySelectorAll(".chapter-list a[data-start]"));
    var currentIndex = -1, dragging = false;

    function duration() { return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : known; }
    function chapterAt(t) {
      var index = -1;
      chapters.forEach(function (c, i) { if (c.start <= t + 0.05) { index = i; } });
      return index;
    }
    var info = {
      title: data.title, show: data.show, chapters: chapters,
      artwork: JSON.parse(data.artwork || "[]"),
      current: function () { return chapters[currentIndex] || null; },
      jump: function (step) {
        var i = chapterAt(audio.currentTime);
        // "Previous" restarts the current chapter first, as media players do.
        if (step < 0 && i >= 0 && audio.currentTime - chapters[i].start > 3) { step = 0; }
        var target = chapters[Math.max(0, Math.min(chapters.length - 1, i + step))];
        if (target) { seekTo(audio, target.start, false); }
      }
    };
    var updateSession = mediaSession(audio, info);

    function render() {
      var d = duration(), t = dragging ? parseFloat(seek.value) : audio.currentTime;
      elapsed.textContent = clock(t);
      remaining.textContent = "−" + clock(d - t, true);
      if (!dragging) { seek.value = String(Math.floor(t)); }
      seek.setAttribute("aria-valuetext", clock(t) + " " + data.labelOf + " " + clock(d));
      seek.style.setProperty("--progress", (d ? t / d * 100 : 0) + "%");
      var index = chapterAt(t);
      if (index !== currentIndex) {
        currentIndex = index;
        var chapter = chapters[index];
        chapterLine.textContent = chapter ? data.labelChapter.replace("{n}", index + 1)
          .replace("{total}", chapters.length) + ": " + chapter.title : "";
        links.forEach(function (link) {
          var on = chapter && Math.abs(parseFloat(link.dataset.start) - chapter.start) < 0.05;
          if (on) { link.setAttribute("aria-current", "true"); } else { link.removeAttribute("aria-current"); }
        });
        if (!audio.paused) { updateSession(chapter); }
      }
    }

    function state() {
      var playing = !audio.paused;
      root.classList.toggle("is-playing", playing);
      playButton.setAttribute("aria-label", playing ? data.labelPause : data.labelPlay);
    }

    function toggle() { if (audio.paused) { quietly(audio.play()); } else { audio.pause(); } }
    function skip(seconds) {
      seekTo(audio, Math.max(0, Math.min(duration(), (audio.readyState ? audio.currentTime : parseFloat(seek.value)) + seconds)), false);
    }

    function marks() {
      var holder = ui.querySelector(".podplayer__marks"), d = duration();
      holder.textContent = "";
      chapters.forEach(function (c) {
        if (!d || c.start <= 0) { return; }
        var mark = document.createElement("span");
        mark.style.left = (c.start / d * 100) + "%";
        holder.appendChild(mark);
      });
    }

    audio.removeAttribute("controls");
    ui.hidden = false;
    root.classList.add("is-enhanced");
    seek.max = String(Math.ceil(duration()));
    marks();

    var resumeAt = remember(audio)(data.guid);
    speed.value = String(audio.playbackRate);
    if (speed.selectedIndex < 0) { speed.value = "1"; }
    var start = hashTime();
    if (start === null) { start = resumeAt; }
    if (start !== null) {
      seek.value = String(Math.floor(start));
      seekTo(audio, start, false);
    }

    playButton.addEventListener("click", toggle);
    ui.querySelectorAll("[data-skip]").forEach(function (button) {
      button.addEventListener("click", function () { skip(parseFloat(button.dataset.skip)); });
    });
    speed.addEventListener("change", function () {
      audio.defaultPlaybackRate = audio.playbackRate = parseFloat(speed.value);
    });
    seek.addEventListener("input", function () { dragging = true; render(); });
    seek.addEventListener("change", function () {
      dragging = false;
      seekTo(audio, parseFloat(seek.value), false);
    });
    // Arrow keys on the bar move 5 s, not the range's 1 s step.
    seek.addEventListener("keydown", function (event) {
      var step = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5 }[event.key];
      if (step) { event.preventDefault(); event.stopPropagation(); skip(step); }
    });
    ["timeupdate", "seeked", "loadedmetadata", "durationchange"].forEach(function (name) {
      audio.addEventListener(name, render);
    });
    audio.addEventListener("loadedmetadata", function () { seek.max = String(Math.ceil(duration())); marks(); });
    audio.addEventListener("play", state);
    audio.addEventListener("pause", state);
    audio.addEventListener("ended", state);

    // Shortcuts while focus is in the player (anywhere on the embed page, which is only a player).
    var scope = document.body.classList.contains("embed-player") ? document : root;
    scope.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var tag = event.target.tagName;
      if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && event.target !== seek)) { return; }
      var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      var onButton = tag === "BUTTON" || tag === "A" || tag === "SUMMARY";
      if (key === "k" || (key === " " && !onButton)) { toggle(); }
      else if (key === "j" || key === "ArrowLeft") { skip(-15); }
      else if (key === "l" || key === "ArrowRight") { skip(30); }
      else { return; }
      event.preventDefault();
    });

    render();
    state();
    return audio;
  }

  /* Play buttons in episode lists: one shared <audio>, the button shows the state. */
  function listButtons(buttons) {
    var audio = new Audio(), active = null, use = remember(audio);
    var info = { title: "", show: "", chapters: [], artwork: [], current: function () { return null; } };
    mediaSession(audio, info);
    audio.preload = "none";
    function label(button) {
      var playing = button === active && !audio.paused;
      button.classList.toggle("is-playing", playing);
      button.setAttribute("aria-pressed", playing ? "true" : "false");
      if (button === active && audio.currentTime > 0) {
        button.querySelector(".play-button__text").textContent = clock(audio.currentTime) + " / " +
          clock(audio.duration || parseFloat(button.dataset.duration));
      }
    }
    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        if (button === active) {
          if (audio.paused) { quietly(audio.play()); } else { audio.pause(); }
          return;
        }
        var previous = active;
        if (previous) { audio.pause(); }
        active = button;
        if (previous) { label(previous); }
        info.title = button.dataset.title;
        info.show = button.dataset.show;
        audio.src = button.dataset.playSrc;
        var position = use(button.dataset.guid);
        if (position !== null) { seekTo(audio, position, false); }
        quietly(audio.play());
      });
    });
    ["play", "pause", "ended", "timeupdate"].forEach(function (name) {
      audio.addEventListener(name, function () { if (active) { label(active); } });
    });
  }

  /* "Copy the feed address": the address itself is not the primary UI, this button is. */
  function copyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var status = button.parentNode.querySelector("[role=status]");
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.dataset.copy).then(function () {
          if (status) { status.textContent = button.dataset.copied; }
        }, function () { location.href = button.dataset.copy; });
      });
    });
  }

  function init() {
    copyButtons();
    var players = Array.prototype.map.call(document.querySelectorAll("[data-player]"), enhance);
    var listed = document.querySelectorAll(".play-button[data-play-src]");
    if (listed.length) { listButtons(Array.prototype.slice.call(listed)); }
    var audio = players[0];
    if (!audio) { return; }
    // Chapter and transcript times seek the player; without JS they stay #t= links.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-start]");
      if (!link) { return; }
      event.preventDefault();
      seekTo(audio, parseFloat(link.dataset.start), true);
      if (history.replaceState) { history.replaceState(null, "", link.getAttribute("href")); }
    });
    window.addEventListener("hashchange", function () { seekTo(audio, hashTime(), true); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
