/* Play buttons in episode lists (partials/play_button.html): shown by this script, they play
   the episode in place with one shared <audio>; position and speed as on the episode page. */
(() => {
  "use strict";
  const { $, quietly, clock, remember, seekTo, mediaSession } = window.ResonanzPlayer;

  /* Play buttons in episode lists: one shared <audio>; the button shows state and time. */
  function listButtons(buttons) {
    const audio = new Audio(), use = remember(audio);
    const info = { title: "", show: "", chapters: [], artwork: [], current: () => null };
    let active = null;
    mediaSession(audio, info);
    audio.preload = "none";
    const label = (button) => {
      const playing = button === active && !audio.paused;
      button.classList.toggle("is-playing", playing);
      button.setAttribute("aria-pressed", String(playing));
      if (button === active && audio.currentTime > 0) {
        $(button, ".play-button__text").textContent = clock(audio.currentTime) + " / " + clock(audio.duration || parseFloat(button.dataset.duration));
      }
    };
    buttons.forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => {
        if (button === active) { audio.paused ? quietly(audio.play()) : audio.pause(); return; }
        const previous = active;
        audio.pause();
        active = button;
        if (previous) { label(previous); }
        info.title = button.dataset.title;
        info.show = button.dataset.show;
        audio.src = button.dataset.playSrc;
        const position = use(button.dataset.guid);
        if (position !== null) { seekTo(audio, position, false); }
        quietly(audio.play());
      });
    });
    ["play", "pause", "ended", "timeupdate"].forEach((name) => audio.addEventListener(name, () => active && label(active)));
  }

  const init = () => {
    const listed = [...document.querySelectorAll(".play-button[data-play-src]")];
    if (listed.length) { listButtons(listed); }
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
