/*
 * No lost answers on long forms. Vanilla JS, no build step, no inline code (the Content-Security-Policy).
 *
 *   <form data-unsaved-warning>            leaving the page with changes not submitted asks first (not on submit)
 *   <form data-discards-draft>             submitting it leaves without asking (it throws the draft away)
 *   <form data-draft-url="/…/draft/">      what is typed is POSTed there as a draft, a moment after typing stops;
 *                                          #draft-status says when it was saved, or why not
 *   <tr data-merge-item="code" data-mine='json' data-theirs='json'>   a conflict's row: choosing "mine" or
 *                                          "theirs" puts that value into the item's inputs (the server applies the
 *                                          same choice when the form comes back)
 *
 * A successful draft save also renewed the session: it says so ("lbpb:session-renewed", read by session.js).
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 1200;

  function statusLine(text, failed) {
    var line = document.getElementById("draft-status");
    if (!line) return;
    line.textContent = text;
    line.classList.toggle("text-danger", !!failed);
    line.classList.toggle("text-muted", !failed);
  }

  function draftSaver(form) {
    var url = form.getAttribute("data-draft-url");
    var timer = null;
    var pending = false;
    var inFlight = null;
    var messages = document.getElementById("draft-messages");
    var ended = messages ? messages.getAttribute("data-session-ended") : "";
    var failed = messages ? messages.getAttribute("data-not-saved") : "";

    function save() {
      timer = null;
      if (!pending) return inFlight || Promise.resolve();
      pending = false;
      var body = new FormData(form);
      body.delete("action");
      inFlight = fetch(url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                              headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
            statusLine(ended, true);  // signed out: the last saved draft is kept on the server
            return;
          }
          return response.json().then(function (data) {
            if (response.ok && data.kept) {
              statusLine(data.message, false);
              document.dispatchEvent(new CustomEvent("lbpb:session-renewed"));
            } else {
              statusLine(data.error || failed, true);
            }
          });
        })
        .catch(function () { pending = true; statusLine(failed, true); })
        .then(function () { inFlight = null; });
      return inFlight;
    }

    function later() {
      pending = true;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DEBOUNCE_MS);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    return {
      flush: function () {
        if (timer) clearTimeout(timer);
        return save();
      },
    };
  }

  function guardUnsaved(form, saver) {
    var dirty = document.getElementById("draft-restored") !== null;  // a restored draft is not submitted yet
    var submitting = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    // On window, so that it runs after the form's other submit handlers: one that cancels the submission wins.
    window.addEventListener("submit", function (event) {
      if (event.target !== form || event.defaultPrevented || submitting) return;
      submitting = true;
      if (!saver) return;
      // Keep the last keystrokes as a draft before the page goes (if the session has ended, the POST lands on
      // the log-in page and the draft brings the answers back after it), then submit as the user asked.
      event.preventDefault();
      var button = event.submitter;
      var done = function () {
        if (button && button.name) {  // form.submit() sends no button: say which one was pressed
          var chosen = document.createElement("input");
          chosen.type = "hidden";
          chosen.name = button.name;
          chosen.value = button.value;
          form.appendChild(chosen);
        }
        HTMLFormElement.prototype.submit.call(form);
      };
      var timeout = new Promise(function (resolve) { setTimeout(resolve, 3000); });
      Promise.race([saver.flush(), timeout]).then(done, done);
    });
    document.addEventListener("submit", function (event) {  // discarding the draft is leaving on purpose
      if (event.target.hasAttribute("data-discards-draft")) submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  function setItem(form, code, value) {
    var wanted = [].concat(value).map(String);
    form.querySelectorAll("[name='" + code + "']").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") input.checked = wanted.indexOf(input.value) >= 0;
      else input.value = wanted.length ? wanted[0] : "";
    });
  }

  function mergeRows(form) {
    form.querySelectorAll("tr[data-merge-item]").forEach(function (row) {
      var code = row.getAttribute("data-merge-item");
      var radios = row.querySelectorAll("input[type=radio]");
      var apply = function () {
        var chosen = row.querySelector("input[type=radio]:checked");
        if (!chosen) return;
        setItem(form, code, JSON.parse(row.getAttribute(chosen.value === "theirs" ? "data-theirs" : "data-mine")));
        form.dispatchEvent(new Event("change", { bubbles: true }));  // branching and the draft follow
      };
      radios.forEach(function (radio) { radio.addEventListener("change", apply); });
      apply();
      // Typing into the item again means the user's own answer: the choice follows.
      var wrapper = form.querySelector("[data-item='" + code + "']");
      if (wrapper) {
        wrapper.addEventListener("input", function () {
          var mine = row.querySelector("input[value=mine]");
          if (mine) mine.checked = true;
        });
      }
    });
  }

  function init() {
    document.querySelectorAll("form[data-unsaved-warning]").forEach(function (form) {
      var saver = form.hasAttribute("data-draft-url") ? draftSaver(form) : null;
      mergeRows(form);
      guardUnsaved(form, saver);
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
