/* Resonanz podcast player: replaces the native <audio controls> of an episode with our bar.
   Without this script the native controls stay. Labels come from the page (data-label-*). */
(() => {
  "use strict";
  const { $, quietly, clock, hashTime, remember, seekTo, mediaSession } = window.ResonanzPlayer;

  function enhance(root) {
    const audio = $(root, "audio"), ui = $(root, ".podplayer__ui"), data = root.dataset;
    const play = $(ui, ".podplayer__play"), seek = $(ui, ".podplayer__seek"), speed = $(ui, ".podplayer__speed");
    const chapters = JSON.parse(data.chapters || "[]");
    const links = [...document.querySelectorAll(".chapter-list a[data-start]")];
    let current = -1, dragging = false;
    const duration = () => (isFinite(audio.duration) && audio.duration > 0 ? audio.duration : parseFloat(data.duration) || 0);
    const chapterAt = (t) => chapters.reduce((found, c, i) => (c.start <= t + 0.05 ? i : found), -1);
    const info = {
      title: data.title, show: data.show, chapters, artwork: JSON.parse(data.artwork || "[]"),
      current: () => chapters[current] || null,
      jump(step) {
        const i = chapterAt(audio.currentTime);
        // "Previous" first goes back to the start of the chapter playing, as media players do.
        if (step < 0 && i >= 0 && audio.currentTime - chapters[i].start > 3) { step = 0; }
        const target = chapters[Math.max(0, Math.min(chapters.length - 1, i + step))];
        if (target) { seekTo(audio, target.start, false); }
      },
    };
    const updateSession = mediaSession(audio, info);

    function render() {
      const d = duration(), t = dragging ? parseFloat(seek.value) : audio.currentTime;
      $(ui, ".podplayer__elapsed").textContent = clock(t);
      $(ui, ".podplayer__remaining").textContent = "−" + clock(d - t, true);
      if (!dragging) { seek.value = String(Math.floor(t)); }
      seek.setAttribute("aria-valuetext", clock(t) + " " + data.labelOf + " " + clock(d));
      seek.style.setProperty("--progress", (d ? t / d * 100 : 0) + "%");
      const index = chapterAt(t);
      if (index === current) { return; }
      current = index;
      const chapter = chapters[index];
      const line = chapter ? data.labelChapter.replace("{n}", index + 1).replace("{total}", chapters.length) + ": " + chapter.title : "";
      if (!root.classList.contains("has-error")) { $(ui, ".podplayer__chapter").textContent = line; } // the error message stays
      links.forEach((link) => {
        const on = chapter && Math.abs(parseFloat(link.dataset.start) - chapter.start) < 0.05;
        on ? link.setAttribute("aria-current", "true") : link.removeAttribute("aria-current");
      });
      if (!audio.paused) { updateSession(chapter); }
    }
    function state() {
      root.classList.toggle("is-playing", !audio.paused && !root.classList.contains("has-error"));
      play.setAttribute("aria-label", audio.paused ? data.labelPlay : data.labelPause);
    }
    const toggle = () => (audio.paused ? quietly(audio.play()) : audio.pause());
    const skip = (s) => seekTo(audio, Math.max(0, Math.min(duration(), (audio.readyState ? audio.currentTime : parseFloat(seek.value)) + s)), false);
    function marks() {
      const holder = $(ui, ".podplayer__marks"), d = duration();
      holder.textContent = "";
      chapters.forEach((c) => {
        if (!d || c.start <= 0) { return; }
        const mark = holder.appendChild(document.createElement("span"));
        mark.style.left = c.start / d * 100 + "%";
      });
      seek.max = String(Math.ceil(d));
    }

    audio.removeAttribute("controls");
    ui.hidden = false;
    marks();
    const resumeAt = remember(audio)(data.guid);
    const start = hashTime() ?? resumeAt;
    speed.value = String(audio.playbackRate);
    if (speed.selectedIndex < 0) { speed.value = "1"; }
    if (start !== null) { seek.value = String(Math.floor(start)); seekTo(audio, start, false); }

    play.addEventListener("click", toggle);
    ui.querySelectorAll("[data-skip]").forEach((b) => b.addEventListener("click", () => skip(parseFloat(b.dataset.skip))));
    speed.addEventListener("change", () => { audio.defaultPlaybackRate = audio.playbackRate = parseFloat(speed.value); });
    seek.addEventListener("input", () => { dragging = true; render(); });
    seek.addEventListener("change", () => { dragging = false; seekTo(audio, parseFloat(seek.value), false); });
    // Arrow keys on the bar move 5 s, not the range's 1 s step.
    seek.addEventListener("keydown", (event) => {
      const step = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5 }[event.key];
      if (step) { event.preventDefault(); event.stopPropagation(); skip(step); }
    });
    ["timeupdate", "seeked", "durationchange"].forEach((name) => audio.addEventListener(name, render));
    audio.addEventListener("loadedmetadata", () => { marks(); render(); });
    ["play", "pause", "ended"].forEach((name) => audio.addEventListener(name, state));
    // No source could be loaded (offline, file missing): say so instead of a silent button.
    // (a click on play may have come first: the button shows play again, not a pause icon)
    const failed = () => { $(ui, ".podplayer__chapter").textContent = data.labelError; root.classList.add("has-error"); audio.pause(); state(); };
    const noSource = () => audio.networkState === HTMLMediaElement.NETWORK_NO_SOURCE && audio.readyState === 0;
    // Each source that fails fires "error" on itself. The browser need not try the others after
    // one failed (Chromium at times stops after the first): whether any is left is in the state.
    const sources = audio.querySelectorAll("source");
    sources.forEach((source) => source.addEventListener("error", () => { if (noSource()) { failed(); } }));
    if (!sources.length) { audio.addEventListener("error", failed); }
    // Failed before this script ran? NETWORK_NO_SOURCE is also the state for the moment before the
    // browser starts choosing a source, so look again once the page has loaded.
    const failedEarly = () => setTimeout(() => { if (noSource()) { failed(); } }, 0);
    if (document.readyState === "complete") { failedEarly(); } else { window.addEventListener("load", failedEarly, { once: true }); }

    // Shortcuts while focus is in the player; on the embed page (only a player) anywhere.
    const scope = document.body.classList.contains("embed-player") ? document : root;
    scope.addEventListener("keydown", (event) => {
      const target = event.target, tag = target.tagName;
      if (event.altKey || event.ctrlKey || event.metaKey || /SELECT|TEXTAREA/.test(tag) || (tag === "INPUT" && target !== seek)) { return; }
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      if (key === "k" || (key === " " && !/BUTTON|^A$|SUMMARY/.test(tag))) { toggle(); } else if (key === "j" || key === "ArrowLeft") { skip(-15); } else if (key === "l" || key === "ArrowRight") { skip(30); } else { return; }
      event.preventDefault();
    });
    render();
    state();
    return audio;
  }

  function init() {
    const audio = [...document.querySelectorAll("[data-player]")].map(enhance)[0];
    if (!audio) { return; }
    // Chapter and transcript times seek the player; without JS they stay #t= links.
    document.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-start]");
      if (!link) { return; }
      event.preventDefault();
      seekTo(audio, parseFloat(link.dataset.start), true);
      history.replaceState(null, "", link.getAttribute("href"));
    });
    addEventListener("hashchange", () => seekTo(audio, hashTime(), true));
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
