// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // "Show" buttons next to password fields.
  document.querySelectorAll(".js-reveal").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var showing = input.type === "text";
      input.type = showing ? "password" : "text";
      button.textContent = showing ? "Show" : "Hide";
      button.setAttribute("aria-pressed", String(!showing));
    });
  });
  // List filters (templates/_macros/filters.html) start folded for phones; open them where there is room.
  if (window.matchMedia("(min-width: 992px)").matches) {
    document.querySelectorAll("details.filter-panel").forEach(function (panel) { panel.open = true; });
  }
  // Move focus to the first field with an error so keyboard users land on it.
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
})();
