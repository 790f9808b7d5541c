// Keeps the count on an open page current: polls the same-origin count JSON and updates the
// numbers in place. Without this script the page is complete, only not live.
//
// The page's language is <html lang>: numbers are written as the server wrote them (grouping
// always on, as Babel does: "1.000"), and the count sentence takes the form the language needs
// for the new count (Intl.PluralRules picks the CLDR category; the server rendered the
// sentence's template for each category into data-plural-* attributes, from the catalogue).
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-count-url");
  var every = parseInt(body.getAttribute("data-poll-ms"), 10) || 10000;
  if (!url || !window.fetch || window.location.protocol === "file:") {
    return;
  }
  var lang = document.documentElement.lang || "en";
  var numbers = null;
  var plurals = null;
  try {
    numbers = new Intl.NumberFormat(lang, { useGrouping: "always" });
  } catch (e) {
    numbers = null;
  }
  try {
    plurals = new Intl.PluralRules(lang);
  } catch (e) {
    plurals = null;
  }

  function format(value) {
    return numbers ? numbers.format(value) : String(value);
  }

  function setText(id, value) {
    var node = document.getElementById(id);
    if (node && node.textContent !== format(value)) {
      node.textContent = format(value);
    }
  }

  function setCount(value) {
    // The sentence around the number changes with it ("1 signature", "2 signatures"): rebuild
    // it from the template for the count's plural category, as text nodes (never as markup).
    var line = document.getElementById("count-line");
    if (!line || line.getAttribute("data-count") === String(value)) {
      return;
    }
    var category = plurals ? plurals.select(value) : "other";
    var template = line.getAttribute("data-plural-" + category) ||
      line.getAttribute("data-plural-other");
    if (!template) {
      setText("count", value);
      return;
    }
    var parts = template.split("{count}");
    while (line.firstChild) {
      line.removeChild(line.firstChild);
    }
    line.appendChild(document.createTextNode(parts[0]));
    if (parts.length > 1) {  // a form may spell its number out ("une signature")
      var strong = document.createElement("strong");
      strong.id = "count";
      strong.textContent = format(value);
      line.appendChild(strong);
      line.appendChild(document.createTextNode(parts.slice(1).join("{count}")));
    }
    line.setAttribute("data-count", String(value));
  }

  function show(data) {
    if (typeof data.count !== "number") {
      return;
    }
    setCount(data.count);
    setText("listed", data.listed);
    setText("anonymous", data.anonymous);
    var milestone = document.getElementById("milestone");
    var progress = document.getElementById("progress");
    if (milestone && progress) {
      milestone.hidden = data.next_milestone === null;
      if (data.next_milestone !== null) {
        setText("next-milestone", data.next_milestone);
        progress.max = data.next_milestone;
        progress.value = data.count;
      }
    }
  }

  function poll() {
    window.fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { window.setTimeout(poll, every); });
  }

  window.setTimeout(poll, every);
}());
