/* The visitor's own parts of a shared results page. The page is the same for everybody signed in (so the server
   keeps it, and it holds nobody's name or CSRF token); its nav has a place <li data-personal-src="URL"> and the
   page may have a place [data-personal-place] (an aria-live region) for the visitor's place. This asks URL,
   a private answer, and puts its <ul data-part="nav"> items and its <div data-part="place"> content there.
   Without JavaScript (or if the request fails) the places keep their links to a page of the visitor's own. */
(function () {
  "use strict";
  var navSlot = document.querySelector("li[data-personal-src]");
  if (!navSlot || !window.fetch || !window.DOMParser) { return; }

  function fill(html) {
    var part = new DOMParser().parseFromString(html, "text/html");
    var nav = part.querySelector("[data-part=nav]");
    var place = part.querySelector("[data-part=place]");
    var placeSlot = document.querySelector("[data-personal-place]");
    if (nav) {
      var items = Array.prototype.slice.call(nav.children).map(function (item) {
        return document.importNode(item, true);
      });
      items.forEach(function (item) { navSlot.parentNode.insertBefore(item, navSlot); });
      navSlot.parentNode.removeChild(navSlot);
    }
    if (place && placeSlot) {
      var section = place.querySelector("section");
      if (section) { placeSlot.replaceChildren(document.importNode(section, true)); }
    }
  }

  fetch(navSlot.getAttribute("data-personal-src"), {credentials: "same-origin", headers: {"Accept": "text/html"}})
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(fill)
    .catch(function () { /* the links stay */ });
}());
