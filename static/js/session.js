/*
 * The idle-timeout warning. The server ends a session SESSION_IDLE_MINUTES after its last request (every request
 * renews it); the page learns the seconds left from #session-timeout[data-expires-in] and counts down. A few
 * minutes before the end a dialog offers "Stay signed in" (a POST to data-keep-alive-url); at the end it says the
 * session is over and links to the log-in page, which brings the user back here.
 *
 * Other requests renew the session too: a draft save ("lbpb:session-renewed"), an htmx request, another tab of
 * the product (localStorage "lbpb.session.renewed" holds when the server last saw this browser, no data).
 */
(function () {
  "use strict";

  var KEY = "lbpb.session.renewed";
  var MAX_WARNING_S = 180;

  function init() {
    var box = document.getElementById("session-timeout");
    if (!box || typeof box.showModal !== "function") return;
    var ageS = parseInt(box.getAttribute("data-expires-in"), 10);
    if (!(ageS > 0)) return;
    var warnS = Math.min(MAX_WARNING_S, Math.max(1, Math.floor(ageS / 3)));
    var dialog = { show: function () { box.showModal(); }, hide: function () { box.close(); } };
    var left = document.getElementById("session-timeout-left");
    var text = document.getElementById("session-timeout-text");
    var stay = document.getElementById("session-stay");
    var signIn = document.getElementById("session-sign-in");
    var renewedAt = Date.now();
    var shown = false;
    var dismissed = false;  // closed with Escape: not shown again until the end
    var over = false;

    function remember(at) {
      renewedAt = at;
      try { window.localStorage.setItem(KEY, String(at)); } catch (e) { /* storage off: this tab only */ }
    }

    function renewed(expiresIn) {
      if (over) return;
      if (expiresIn > 0) ageS = expiresIn;
      remember(Date.now());
      dismissed = false;
      if (shown) { dialog.hide(); shown = false; }
    }

    function clock(seconds) {
      var m = Math.floor(seconds / 60);
      var s = seconds % 60;
      return m + ":" + (s < 10 ? "0" : "") + s;
    }

    function end() {
      over = true;
      text.textContent = text.getAttribute("data-ended");
      stay.hidden = true;
      var login = box.getAttribute("data-login-url");
      signIn.href = login + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
      signIn.hidden = false;
      if (!shown) { dialog.show(); shown = true; }
    }

    function tick() {
      if (over) return;
      var leftS = Math.ceil(ageS - (Date.now() - renewedAt) / 1000);
      if (leftS <= 0) { end(); return; }
      if (leftS <= warnS) {
        left.textContent = clock(leftS);
        if (!shown && !dismissed) { dialog.show(); shown = true; stay.focus(); }
      }
    }

    box.addEventListener("cancel", function () { shown = false; dismissed = !over; });
    stay.addEventListener("click", function () {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      headers["X-Requested-With"] = "fetch";
      fetch(box.getAttribute("data-keep-alive-url"),
            { method: "POST", credentials: "same-origin", redirect: "manual", headers: headers })
        .then(function (response) {
          if (!response.ok) { end(); return; }
          return response.json().then(function (data) { renewed(data.expires_in); });
        })
        .catch(function () { /* the network away: the countdown goes on, the user may try again */ });
    });
    document.addEventListener("lbpb:session-renewed", function () { renewed(0); });
    document.body.addEventListener("htmx:afterRequest", function () { renewed(0); });
    window.addEventListener("storage", function (event) {
      if (event.key === KEY && event.newValue && parseInt(event.newValue, 10) > renewedAt) {
        renewedAt = parseInt(event.newValue, 10);
        if (shown && !over) { dialog.hide(); shown = false; }
      }
    });
    remember(renewedAt);
    setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
