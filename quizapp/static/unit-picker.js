/* The unit field of the registration form, enhanced. Without this script it is a plain text input for the unit
 * code (with a link to a server-side lookup page). With it, the participant types part of the unit's name, with
 * or without accents, picks it from a list (GET data-search-url?q=…, the public JSON API) and sees its place in
 * the tree ("Thành phố Hà Nội › Phường Ba Đình"); the code goes in the original input, now hidden.
 * The list follows the ARIA combobox pattern: arrow keys, Enter, Escape, and a live count for screen readers.
 */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-unit-picker]");
  if (!boxes.length || !window.fetch) { return; }
  var MIN_CHARS = 2;
  var DEBOUNCE_MS = 250;
  var LIMIT = 12;
  var SEPARATOR = " › ";

  function enhance(box, index) {
    var code = box.querySelector("input");
    var label = box.querySelector("label");
    var help = box.querySelector(".help");
    var pathLine = box.querySelector("[data-unit-path]");
    var errors = box.querySelector(".errors");
    var words = function (name) { return box.getAttribute("data-" + name) || ""; };
    var searchUrl = box.getAttribute("data-search-url");
    var id = "unit-search-" + index;
    var listId = "unit-list-" + index;

    var search = document.createElement("input");
    search.type = "text";
    search.id = id;
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    search.setAttribute("aria-controls", listId);
    search.setAttribute("autocomplete", "off");
    search.setAttribute("spellcheck", "false");
    var described = [help && help.id, errors && errors.id].filter(Boolean).join(" ");
    if (described) { search.setAttribute("aria-describedby", described); }
    if (errors) { search.setAttribute("aria-invalid", "true"); }

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "unit-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", words("label"));
    list.hidden = true;

    var status = document.createElement("p");
    status.className = "sr-only";
    status.setAttribute("aria-live", "polite");

    code.type = "hidden";
    code.parentNode.insertBefore(search, code);
    search.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    if (label) { label.htmlFor = id; label.textContent = words("label"); }
    if (help) { help.textContent = words("help"); }

    var results = [];
    var active = -1;
    var timer = null;
    var sequence = 0;
    var chosenName = "";

    var knownPath = pathLine ? pathLine.getAttribute("data-unit-path") : "";
    if (knownPath) { chosenName = knownPath.split(SEPARATOR).pop(); search.value = chosenName; }
    else if (code.value) { search.value = code.value; }

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (position + items.length) % items.length;
      for (var i = 0; i < items.length; i++) { items[i].setAttribute("aria-selected", i === active ? "true" : "false"); }
      search.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({block: "nearest"});
    }

    function choose(unit) {
      code.value = unit.code;
      chosenName = unit.name;
      search.value = unit.name;
      if (pathLine) { pathLine.textContent = words("chosen") + " " + unit.path; }
      close();
    }

    function show(units) {
      results = units;
      list.textContent = "";
      units.forEach(function (unit, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "unit-name";
        name.textContent = unit.name;
        var path = document.createElement("span");
        path.className = "unit-path-hint";
        path.textContent = unit.path + " (" + unit.code + ")";
        item.appendChild(name);
        item.appendChild(path);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(unit); });
        list.appendChild(item);
      });
      if (!units.length) {
        var empty = document.createElement("li");
        empty.className = "unit-empty";
        empty.textContent = words("empty");
        list.appendChild(empty);
      }
      list.hidden = false;
      search.setAttribute("aria-expanded", units.length ? "true" : "false");
      status.textContent = units.length ? words("count").replace("{n}", units.length) : words("empty");
    }

    function lookUp() {
      var query = search.value.trim();
      if (query.length < MIN_CHARS) { close(); return; }
      var mine = ++sequence;
      status.textContent = words("searching");
      fetch(searchUrl + "?q=" + encodeURIComponent(query) + "&limit=" + LIMIT, {headers: {"Accept": "application/json"}})
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (body) { if (mine === sequence) { show(body.units || []); } })
        .catch(function () { if (mine === sequence) { close(); status.textContent = words("failed"); } });
    }

    search.addEventListener("input", function () {
      if (search.value !== chosenName) {  // typing again forgets the unit chosen before
        code.value = "";
        chosenName = "";
        if (pathLine) { pathLine.textContent = ""; }
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DEBOUNCE_MS);
    });

    search.addEventListener("keydown", function (event) {
      var open = !list.hidden && results.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open) { lookUp(); return; }
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(results[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });

    search.addEventListener("blur", function () { window.setTimeout(close, 150); });

    var form = box.closest("form");
    if (form) {
      form.addEventListener("submit", function () {
        // A code typed by hand and never picked from the list is still sent: the server checks it.
        if (!code.value && search.value.trim()) { code.value = search.value.trim(); }
      });
    }
  }

  for (var i = 0; i < boxes.length; i++) { enhance(boxes[i], i); }
})();
