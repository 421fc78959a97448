/* The wait after a refused sign-in or registration (429): counts down the seconds the server wrote into the page
   (the page says them without this script), then says the form may be sent again.
   Markup (templates/auth/_wait.html): <p class="retry-line" data-done="..."> ... <span class="retry-seconds"
   data-seconds="N">N</span> ... </p> */
(function () {
  "use strict";
  var span = document.querySelector(".retry-line .retry-seconds[data-seconds]");
  if (!span || !window.performance) { return; }
  var line = span.parentNode;
  var total = parseInt(span.getAttribute("data-seconds"), 10);
  var loadedAt = performance.now();
  var timer;

  function tick() {
    var left = total - Math.floor((performance.now() - loadedAt) / 1000);
    if (left > 0) {
      if (span.textContent !== String(left)) { span.textContent = String(left); }
      return;
    }
    window.clearInterval(timer);
    line.textContent = line.getAttribute("data-done") || "";
  }

  timer = window.setInterval(tick, 1000);
})();
