/*
 * Survey pages: the seconds a page was open go with its answers (the page's timing), and the coordinator's
 * copy button copies a new link. No inline script: the Content-Security-Policy refuses it.
 */
(function () {
  "use strict";
  var shown = Date.now();
  document.querySelectorAll("form[data-survey-timer]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var field = form.querySelector("input[name=seconds]");
      if (field) { field.value = String(Math.round((Date.now() - shown) / 1000)); }
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
