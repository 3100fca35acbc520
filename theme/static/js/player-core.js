/* Resonanz podcast player, shared part: time format, resume, seeking, lock screen, and the
   subscribe box's copy button. Used by player.js (episode page, embed) and play-buttons.js
   (episode lists). Stored, in localStorage only: the position per episode GUID and the speed. */
window.ResonanzPlayer = (() => {
  "use strict";
  const KEY = "resonanz:position:", SPEED = "resonanz:speed";
  const MIN_RESUME = 5; // seconds: before this a listener has not really started
  const $ = (root, sel) => root.querySelector(sel);
  const quietly = (promise) => promise && promise.catch && promise.catch(() => {});
  const pad = (n) => String(n).padStart(2, "0");

  function clock(seconds, up) {
    const t = Math.max(0, (up ? Math.round : Math.floor)(seconds || 0));
    const h = Math.floor(t / 3600), m = Math.floor(t % 3600 / 60);
    return (h ? h + ":" + pad(m) : m) + ":" + pad(t % 60);
  }

  // Private windows and blocked storage throw: the player then works without remembering.
  function store(key, value) {
    try { value === null ? localStorage.removeItem(key) : localStorage.setItem(key, value); } catch (e) { /* not stored */ }
  }
  function stored(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  function hashTime() {
    const match = /^#t=([0-9:.,]+)/.exec(location.hash);
    if (!match) { return null; }
    const total = match[1].replace(",", ".").split(":").reduce((sum, part) => sum * 60 + parseFloat(part), 0);
    return isNaN(total) ? null : total;
  }

  /* Saves the position of the episode in `audio`; use(guid) switches episode and returns
     its saved position (or null). The last seconds (10, or a tenth of a short episode) count
     as heard to the end and clear the entry. */
  function remember(audio) {
    let key = null, last = -1;
    const save = () => {
      const t = audio.currentTime, d = audio.duration;
      if (!key) { return; }
      if (audio.ended || (d && d - t < Math.min(10, d / 10))) { store(key, null); } else if (t >= MIN_RESUME && Math.abs(t - last) >= 1) { store(key, String(Math.floor(t))); last = t; }
    };
    audio.addEventListener("timeupdate", () => { if (!audio.paused && Math.abs(audio.currentTime - last) >= 5) { save(); } });
    ["pause", "ended"].forEach((name) => audio.addEventListener(name, save));
    addEventListener("pagehide", save);
    audio.addEventListener("ratechange", () => store(SPEED, String(audio.playbackRate)));
    const speed = parseFloat(stored(SPEED));
    if (speed >= 0.5 && speed <= 3) { audio.defaultPlaybackRate = audio.playbackRate = speed; }
    return (guid) => {
      save(); // the episode playing until now keeps its place
      key = KEY + guid;
      last = -1;
      const position = parseFloat(stored(key));
      return position >= MIN_RESUME ? position : null;
    };
  }

  function seekTo(audio, seconds, play) {
    if (seconds === null || isNaN(seconds)) { return; }
    const go = () => {
      audio.currentTime = Math.max(0, Math.min(seconds, audio.duration || seconds));
      if (play) { quietly(audio.play()); }
    };
    if (audio.readyState >= 1) { go(); return; }
    audio.addEventListener("loadedmetadata", go, { once: true });
    if (audio.preload === "none" || !audio.networkState) { audio.load(); }
  }

  /* Lock screen and media keys: title, show, artwork, chapters; returns update(chapter). */
  function mediaSession(audio, info) {
    const session = navigator.mediaSession;
    if (!session || typeof MediaMetadata === "undefined") { return () => {}; }
    const update = (chapter) => {
      const meta = { title: chapter ? chapter.title : info.title, artist: info.show,
        album: chapter ? info.title : info.show, artwork: info.artwork };
      try {
        session.metadata = new MediaMetadata({ ...meta,
          chapterInfo: info.chapters.map((c) => ({ title: c.title, startTime: c.start, artwork: info.artwork })) });
      } catch (e) { session.metadata = new MediaMetadata(meta); } // no chapterInfo here
    };
    const actions = {
      play: () => quietly(audio.play()),
      pause: () => audio.pause(),
      seekbackward: (d) => { audio.currentTime = Math.max(0, audio.currentTime - (d.seekOffset || 15)); },
      seekforward: (d) => { audio.currentTime = Math.min(audio.duration || 1e9, audio.currentTime + (d.seekOffset || 30)); },
      seekto: (d) => { audio.currentTime = d.seekTime; },
      previoustrack: info.chapters.length ? () => info.jump(-1) : null,
      nexttrack: info.chapters.length ? () => info.jump(1) : null,
    };
    audio.addEventListener("play", () => {
      update(info.current());
      Object.keys(actions).forEach((name) => { try { session.setActionHandler(name, actions[name]); } catch (e) { /* unknown action */ } });
    });
    audio.addEventListener("timeupdate", () => {
      const d = audio.duration;
      if (session.setPositionState && d && isFinite(d)) {
        try { session.setPositionState({ duration: d, playbackRate: audio.playbackRate, position: Math.min(audio.currentTime, d) }); } catch (e) { /* loading */ }
      }
    });
    return update;
  }

  // "Copy the feed address": the button, not the raw address, is what a listener sees.
  function copyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    document.querySelectorAll("[data-copy]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => navigator.clipboard.writeText(button.dataset.copy).then(() => {
        const status = $(button.parentNode, "[role=status]");
        if (status) { status.textContent = button.dataset.copied; }
      }, () => { location.href = button.dataset.copy; }));
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", copyButtons); } else { copyButtons(); }
  return { $, quietly, clock, hashTime, remember, seekTo, mediaSession };
})();
