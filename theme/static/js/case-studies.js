/* Case-study index: instant filter by industry, brand and year (the facet pages work without it). */
(function () {
  "use strict";
  var form = document.querySelector("[data-case-filter]");
  var list = document.querySelector("[data-case-list]");
  if (!form || !list) {
    return;
  }
  var cards = Array.prototype.slice.call(list.querySelectorAll(".case-card"));
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var status = form.querySelector("[data-filter-status]");

  function apply() {
    var shown = 0;
    cards.forEach(function (card) {
      var match = selects.every(function (select) {
        return !select.value || card.getAttribute("data-" + select.name) === select.value;
      });
      card.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    if (status) {
      var label = status.getAttribute(shown === 1 ? "data-label-one" : "data-label-many");
      status.textContent = shown + " " + label;
    }
  }

  selects.forEach(function (select) {
    select.addEventListener("change", apply);
  });
  form.addEventListener("reset", function () {
    // the form resets its fields after this event; filter once they are empty
    window.setTimeout(apply, 0);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  form.hidden = false;
  apply();
})();
