/* Countdowns on the contest pages. The server renders the remaining time (the page is right without this
   script); this only ticks it down, counting from the seconds the server gave, so a wrong phone clock does not
   matter. Markup: <time class="countdown" data-seconds="N" data-days-format="{d} ngày {t}" data-done="..."> */
(function () {
  "use strict";
  var items = document.querySelectorAll("time.countdown[data-seconds]");
  if (!items.length || !window.performance) { return; }
  var loadedAt = performance.now();

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function text(el, left) {
    if (left <= 0) { return el.getAttribute("data-done") || "00:00:00"; }
    var days = Math.floor(left / 86400), rest = left % 86400;
    var clock = pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor(rest % 3600 / 60)) + ":" + pad(rest % 60);
    if (!days) { return clock; }
    return (el.getAttribute("data-days-format") || "{d} {t}").replace("{d}", days).replace("{t}", clock);
  }

  function tick() {
    var elapsed = Math.floor((performance.now() - loadedAt) / 1000);
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var left = parseInt(el.getAttribute("data-seconds"), 10) - elapsed;
      var next = text(el, left);
      if (el.textContent !== next) { el.textContent = next; }
    }
  }

  tick();
  window.setInterval(tick, 1000);
  // A page restored from the back-forward cache shows old numbers: fetch it again.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { window.location.reload(); } });
})();
