/*
 * Branching (show_if) for instrument entry pages. Vanilla JS, no build step.
 * Same semantics as instruments/definitions/branching.py; both are tested against
 * tests/instruments/fixtures/branching_cases.json.
 *
 * Markup convention (the template renders one wrapper per item):
 *   <form data-branching>
 *     <div data-item="phq9_10" data-type="single_choice" data-index="9"
 *          data-show-if='{"any": [{"item": "phq9_1", "op": ">", "value": 0}]}'>
 *       ... inputs whose name is the item code (radio, checkbox, select, input, textarea) ...
 *     </div>
 *   </form>
 * - data-item: the item code; the inputs inside are named with it.
 * - data-type: the item type, so a value is typed as clean_responses types it.
 * - data-show-if: the JSON of Instrument.show_if_json()[code]; absent means always shown.
 * - data-index (optional): the item's position in the definition. Rules run in that order
 *   (document order when absent), so a hidden item counts as missing for later rules, as on the server.
 * A hidden wrapper gets the `hidden` attribute and its inputs `disabled`, so they are not submitted;
 * the server clears hidden values anyway.
 *
 * Semantics: a value is missing when null, "" or an empty list. "==" is equality, or "includes"
 * for a list; "!=" is exactly not "=="; "in" is true when the value (or any chosen code) is listed;
 * ">", ">=", "<", "<=" are false for a missing value, a list, or a number compared with text.
 */
(function (root) {
  "use strict";

  var INT = /^[+-]?\d+$/;
  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
  var HHMM = /^(\d{1,2}):(\d{2})$/;
  var YES = ["1", "yes", "y", "true"];
  var NO = ["0", "no", "n", "false"];

  function isMissing(value) {
    return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
  }

  function isNumber(value) {
    return typeof value === "number" && !isNaN(value);
  }

  function sameKind(a, b) {
    return (isNumber(a) && isNumber(b)) || (typeof a === "string" && typeof b === "string");
  }

  function equals(actual, expected) {
    if (Array.isArray(actual)) {
      return actual.some(function (one) { return sameKind(one, expected) && one === expected; });
    }
    return sameKind(actual, expected) && actual === expected;
  }

  function compare(actual, op, expected) {
    if (op === "answered") return !isMissing(actual);
    if (op === "unanswered") return isMissing(actual);
    if (op === "!=") return !compare(actual, "==", expected);
    if (isMissing(actual)) return false;
    if (op === "==") return equals(actual, expected);
    if (op === "in") return expected.some(function (one) { return equals(actual, one); });
    if (Array.isArray(actual) || !sameKind(actual, expected)) return false;
    if (op === ">") return actual > expected;
    if (op === ">=") return actual >= expected;
    if (op === "<") return actual < expected;
    if (op === "<=") return actual <= expected;
    return false;
  }

  function evaluate(condition, values) {
    if (condition.all) return condition.all.every(function (c) { return evaluate(c, values); });
    if (condition.any) return condition.any.some(function (c) { return evaluate(c, values); });
    if (condition.not) return !evaluate(condition.not, values);
    var actual = Object.prototype.hasOwnProperty.call(values, condition.item) ? values[condition.item] : null;
    return compare(actual, condition.op, condition.value);
  }

  /* rules: [[code, condition or null], ...] in definition order. Returns the visible codes. */
  function visibleItems(rules, values) {
    var seen = {};
    var visible = [];
    rules.forEach(function (rule) {
      if (!rule[1] || evaluate(rule[1], seen)) {
        visible.push(rule[0]);
        seen[rule[0]] = Object.prototype.hasOwnProperty.call(values, rule[0]) ? values[rule[0]] : null;
      }
    });
    return visible;
  }

  /* A raw string typed as clean_responses types it; an invalid entry counts as missing. */
  function typed(type, text) {
    text = (text || "").trim();
    if (text === "") return null;
    if (type === "integer_scale" || type === "single_choice") return INT.test(text) ? parseInt(text, 10) : null;
    if (type === "yes_no") {
      if (YES.indexOf(text.toLowerCase()) >= 0) return 1;
      return NO.indexOf(text.toLowerCase()) >= 0 ? 0 : null;
    }
    if (type === "number") return NUMBER.test(text) ? parseFloat(text) : null;
    if (type === "duration") {
      var m = HHMM.exec(text);
      if (m && parseInt(m[2], 10) < 60) return parseInt(m[1], 10) * 60 + parseInt(m[2], 10);
      return NUMBER.test(text) ? parseFloat(text) : null;
    }
    if (type === "time") {
      var t = HHMM.exec(text);
      return t && parseInt(t[1], 10) < 24 && parseInt(t[2], 10) < 60 ? ("0" + t[1]).slice(-2) + ":" + t[2] : null;
    }
    return text;
  }

  function readValue(wrapper) {
    var type = wrapper.getAttribute("data-type");
    var name = wrapper.getAttribute("data-item");
    var inputs = Array.prototype.slice.call(wrapper.querySelectorAll("[name='" + name + "']"));
    if (type === "multiple_choice") {
      var codes = inputs.filter(function (i) { return i.checked; }).map(function (i) { return typed(type, i.value); });
      codes = codes.filter(function (c) { return c !== null; });
      return codes.sort(function (a, b) { return a - b; });
    }
    var chosen = inputs.filter(function (i) { return (i.type !== "radio" && i.type !== "checkbox") || i.checked; });
    return chosen.length ? typed(type, chosen[0].value) : null;
  }

  function wrappers(form) {
    var list = Array.prototype.slice.call(form.querySelectorAll("[data-item]"));
    return list.map(function (w, n) { return [w, n]; }).sort(function (a, b) {
      var ia = a[0].hasAttribute("data-index") ? parseInt(a[0].getAttribute("data-index"), 10) : a[1];
      var ib = b[0].hasAttribute("data-index") ? parseInt(b[0].getAttribute("data-index"), 10) : b[1];
      return ia - ib;
    }).map(function (pair) { return pair[0]; });
  }

  function apply(form) {
    var items = wrappers(form);
    var values = {};
    var rules = items.map(function (w) {
      var code = w.getAttribute("data-item");
      values[code] = readValue(w);
      var rule = w.getAttribute("data-show-if");
      return [code, rule ? JSON.parse(rule) : null];
    });
    var visible = visibleItems(rules, values);
    items.forEach(function (w) {
      var shown = visible.indexOf(w.getAttribute("data-item")) >= 0;
      w.hidden = !shown;
      w.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !shown; });
    });
  }

  function init(doc) {
    doc.querySelectorAll("form[data-branching]").forEach(function (form) {
      var run = function () { apply(form); };
      form.addEventListener("change", run);
      form.addEventListener("input", run);
      run();
    });
  }

  var api = { evaluate: evaluate, isMissing: isMissing, visibleItems: visibleItems, typed: typed,
              readValue: readValue, apply: apply, init: init };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.Branching = api;
    if (root.document) {
      root.document.addEventListener("DOMContentLoaded", function () { init(root.document); });
    }
  }
})(typeof window !== "undefined" ? window : this);
