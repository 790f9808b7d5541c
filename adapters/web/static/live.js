// Keeps the count on an open page current: polls the same-origin count JSON and updates the
// numbers in place. Without this script the page is complete, only not live.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-count-url");
  var every = parseInt(body.getAttribute("data-poll-ms"), 10) || 10000;
  if (!url || !window.fetch || window.location.protocol === "file:") {
    return;
  }

  function setText(id, value) {
    var node = document.getElementById(id);
    if (node && node.textContent !== String(value)) {
      node.textContent = String(value);
    }
  }

  function show(data) {
    if (typeof data.count !== "number") {
      return;
    }
    setText("count", data.count);
    setText("listed", data.listed);
    setText("anonymous", data.anonymous);
    var noun = document.getElementById("count-noun");
    if (noun) {
      noun.textContent = noun.getAttribute(data.count === 1 ? "data-one" : "data-many");
    }
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
