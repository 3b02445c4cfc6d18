// Matching preview: while a queued run works, poll its status and show the progress; reload when it ends.
(function () {
  "use strict";
  var box = document.querySelector(".js-run-status");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
        if (data.status === "done" || data.status === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
