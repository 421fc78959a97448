/* The contest form (templates/organizer/contest_form.html): "add a row" buttons copy an empty row in the page
   instead of sending the form, and each draw row says how many active questions match it. Without this script
   the same buttons send the form, which comes back with one more row, and the counts are in the table below. */
(function () {
  "use strict";
  var form = document.querySelector("form.contest-form");
  if (!form) { return; }

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // A copy of the last row of a list, emptied and numbered as the next entry (nested lists included).
  function addRow(listName) {
    var list = form.querySelector('[data-rows="' + listName + '"]');
    if (!list) { return false; }
    var rows = list.querySelectorAll(":scope > [data-row]");
    if (!rows.length) { return false; }
    var last = rows[rows.length - 1];
    var oldPrefix = last.id + "-";
    var newPrefix = listName + "-" + rows.length + "-";
    var copy = last.cloneNode(true);
    var pattern = new RegExp("^" + escapeRegExp(oldPrefix));
    copy.id = listName + "-" + rows.length;
    copy.querySelectorAll("[id],[name],[for],[data-rows],[aria-describedby],button[value]").forEach(function (el) {
      ["id", "name", "for", "data-rows", "value"].forEach(function (attr) {
        if (attr === "value" && el.tagName !== "BUTTON") { return; }
        var value = el.getAttribute(attr);
        if (value && pattern.test(value)) { el.setAttribute(attr, value.replace(pattern, newPrefix)); }
      });
      el.removeAttribute("aria-describedby");
      el.removeAttribute("aria-invalid");
    });
    copy.querySelectorAll(".errors, .locked-reason, .locked-note, input[type=hidden]:not([name$='-id'])")
      .forEach(function (el) { el.remove(); });
    copy.querySelectorAll("button[form]").forEach(function (el) { el.remove(); });
    copy.querySelectorAll("legend [id]").forEach(function (el) { el.removeAttribute("id"); });
    copy.querySelectorAll("button.add-row[hidden]").forEach(function (el) { el.hidden = false; });
    copy.querySelectorAll("input, textarea, select").forEach(function (el) {
      el.disabled = false;
      if (el.type === "checkbox") { el.checked = false; }
      else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else if (!/-(grace_seconds|max_attempts|min_correct_for_prize)$/.test(el.name)) { el.value = ""; }
    });
    copy.querySelectorAll(".field-error").forEach(function (el) { el.classList.remove("field-error"); });
    copy.querySelectorAll("[data-available]").forEach(function (el) { el.textContent = ""; });
    list.appendChild(copy);
    var first = copy.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
    return true;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button.add-row");
    if (button && addRow(button.value)) { event.preventDefault(); }
  });

  // Live counts of the questions each draw row can take from.
  var cells = null;
  var aliases = { "easy": "easy", "medium": "medium", "hard": "hard" };

  function rowCount(row) {
    var value = function (suffix) {
      var el = row.querySelector('[name$="-' + suffix + '"]');
      return el ? el.value.trim() : "";
    };
    var topic = value("topic"), bank = value("bank"), difficulty = aliases[value("difficulty")] || "";
    var wanted = parseInt(value("count"), 10);
    var output = row.querySelector("[data-available]");
    if (!output || !cells) { return; }
    if (!topic && !bank && !difficulty) { output.textContent = ""; return; }
    var available = 0;
    cells.forEach(function (cell) {
      if ((!topic || cell.topic === topic) && (!bank || cell.bank === bank) &&
          (!difficulty || cell.difficulty === difficulty)) { available += cell.count; }
    });
    var short = !isNaN(wanted) && wanted > available;
    output.textContent = short
      ? form.dataset.shortText.replace("{needed}", wanted).replace("{available}", available)
      : form.dataset.availableText.replace("{num}", available);
    output.classList.toggle("draw-short", short);
  }

  function refreshAll() { form.querySelectorAll("[data-draw-row]").forEach(rowCount); }

  form.addEventListener("input", function (event) {
    var row = event.target.closest("[data-draw-row]");
    if (row) { rowCount(row); }
  });
  form.addEventListener("change", function (event) {
    var row = event.target.closest("[data-draw-row]");
    if (row) { rowCount(row); }
  });

  if (window.fetch && form.dataset.countsUrl) {
    fetch(form.dataset.countsUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { cells = data.cells; refreshAll(); } })
      .catch(function () { /* the table on the page still has the counts */ });
  }
})();

/* The audience's unit picker: search the unit tree by name or code (GET /api/v1/units, accent-insensitive) and
   add the chosen unit's code to the comma-separated list. Without this script the list is typed by hand. */
(function () {
  "use strict";
  var picker = document.querySelector("[data-unit-picker]");
  var target = document.getElementById("audience");
  if (!picker || !target || !window.fetch) { return; }
  var search = picker.querySelector("input");
  var list = picker.querySelector("datalist");
  var known = {};
  var timer = null;
  picker.hidden = false;

  function suggest() {
    var query = search.value.trim();
    if (query.length < 2 || known[query]) { return; }
    fetch(picker.dataset.unitsUrl + "?limit=10&q=" + encodeURIComponent(query), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { units: [] }; })
      .then(function (data) {
        list.textContent = "";
        known = {};
        data.units.forEach(function (unit) {
          var option = document.createElement("option");
          option.value = unit.code;
          option.label = unit.path || unit.name;
          option.textContent = unit.path || unit.name;
          list.appendChild(option);
          known[unit.code] = true;
        });
      })
      .catch(function () { /* typing the codes still works */ });
  }

  search.addEventListener("input", function () {
    var value = search.value.trim();
    if (known[value]) {
      var codes = target.value.split(/[,;\n]/).map(function (c) { return c.trim(); }).filter(Boolean);
      if (codes.indexOf(value) < 0) { codes.push(value); }
      target.value = codes.join(", ");
      search.value = "";
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(suggest, 250);
  });
})();
