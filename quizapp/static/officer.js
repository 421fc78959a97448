// The unit report's "print" button: shown only when scripts run (the page prints from the browser's menu too).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
