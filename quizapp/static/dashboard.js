// The organizers' dashboard refreshes itself while a round runs: every data-refresh-seconds (30 s) it reads the
// page's JSON; when a figure changed, it fetches the page again and puts its new figures and charts in place.
// Without JavaScript the page's "Tải lại" link does the same.
(function () {
  "use strict";
  var live = document.getElementById("dashboard-live");
  if (!live || !window.fetch) { return; }
  var seconds = Math.max(5, parseInt(live.getAttribute("data-refresh-seconds"), 10) || 30);
  var last = null;

  function signature(data) {
    return [data.entries, data.participants, data.in_progress].join("/");
  }

  function reloadFigures() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dashboard-live");
        if (fresh) { live.innerHTML = fresh.innerHTML; }
      });
  }

  function poll() {
    fetch(live.getAttribute("data-dashboard-json"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return null; }
        var now = signature(data);
        var changed = last !== null && now !== last;
        last = now;
        return changed ? reloadFigures() : null;
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { window.setTimeout(poll, seconds * 1000); });
  }

  poll();
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && last !== null) { reloadFigures(); }
  });
}());
