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
  // Move focus to the first field with an error so keyboard users land on it; else to what the page
  // answered with (a preview, a patient-identifier notice), so they need not Tab past the menu again.
  var landing = document.querySelector("[aria-invalid='true']") || document.querySelector("[data-autofocus]");
  if (landing) { landing.focus(); }
})();
