/*
 * Survey pages: the seconds a page was open, and for each item the seconds to its first and its last answer,
 * go with the answers (the page's timings, surveys.models.PageTiming); the coordinator's copy button copies a
 * new link. No inline script: the Content-Security-Policy refuses it.
 */
(function () {
  "use strict";
  var shown = Date.now();
  var items = {};

  function since() { return Math.round((Date.now() - shown) / 1000); }

  document.querySelectorAll("form[data-survey-timer]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      var wrapper = event.target.closest("[data-item]");
      if (!wrapper) { return; }
      var code = wrapper.getAttribute("data-item");
      var now = since();
      items[code] = [items[code] ? items[code][0] : now, now];
    });
    form.addEventListener("submit", function () {
      var seconds = form.querySelector("input[name=seconds]");
      if (seconds) { seconds.value = String(since()); }
      var timings = form.querySelector("input[name=item_timings]");
      if (timings) { timings.value = JSON.stringify(items); }
    });
  });

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) { return; }
      target.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(target.value); }
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    });
  });
})();
