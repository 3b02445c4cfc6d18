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
  // "Copy" buttons next to a read-only value shown once (a new API token): copy it, and say so.
  document.querySelectorAll(".js-copy").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("aria-controls"));
    var status = button.closest(".alert") && button.closest(".alert").querySelector("[data-copy-status]");
    if (!input || !navigator.clipboard) { return; }
    button.hidden = false;
    input.addEventListener("focus", function () { input.select(); });
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        if (status) { status.textContent = "Copied."; }
      }, function () {
        input.select();
        if (status) { status.textContent = "Could not copy: the token is selected, copy it with your keyboard."; }
      });
    });
  });
  // Move focus to the first field with an error so keyboard users land on it; else to what the page
  // answered with (a preview, a patient-identifier notice), so they need not Tab past the menu again.
  var landing = document.querySelector("[aria-invalid='true']") || document.querySelector("[data-autofocus]");
  if (landing) { landing.focus(); }
})();
// File inputs with a size limit (data-max-bytes): a file over it is named at once and left out, before
// a long upload the server would refuse; the rest of the form still saves. Without this the server says it.
(function () {
  "use strict";
  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }
  document.querySelectorAll("input[type='file'][data-max-bytes]").forEach(function (input) {
    var limit = Number(input.getAttribute("data-max-bytes"));
    var message = document.createElement("div");
    message.id = input.id + "-size-error";
    message.className = "invalid-feedback d-block";
    message.setAttribute("aria-live", "assertive");
    input.insertAdjacentElement("afterend", message);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== message.id;
      });
      var tooLarge = Boolean(file && file.size > limit);
      message.textContent = tooLarge ? input.getAttribute("data-too-large").replace("{size}", megabytes(file.size)) : "";
      if (tooLarge) {
        input.value = "";
        described.push(message.id);
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
      input.classList.toggle("is-invalid", tooLarge);
      if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
    });
  });
})();
