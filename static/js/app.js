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
// Polling with ETags (a thread's live updates, the navigation's counts): ask every `interval` ms while the
// tab is visible, not at all while it is hidden (and at once when it shows again), twice as slowly after
// each error up to `max`. A 304 answer means nothing changed since the answer whose ETag was sent back.
function pollWithEtags(options) {
  "use strict";
  var etag = null, delay = options.interval, timer = null, running = false;
  function schedule(ms) {
    clearTimeout(timer);
    if (!document.hidden) { timer = setTimeout(run, ms); }
  }
  function run() {
    if (running || document.hidden) { return; }
    running = true;
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(options.url(), { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        var type = response.headers.get("Content-Type") || "";
        // (a signed-out member is sent to the sign-in page: HTML, treated as an error)
        if (!response.ok || type.indexOf("application/json") !== 0) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        delay = options.interval;
        if (options.ok) { options.ok(); }
        if (data) { options.changed(data); }
      })
      .catch(function () {
        delay = Math.min(delay * 2, options.max);
        if (options.failed) { options.failed(); }
      })
      .then(function () { running = false; schedule(delay); });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { clearTimeout(timer); } else { run(); }
  });
  schedule(delay);
}
// A thread's live updates (templates/discussions/_live.html): on the last page new posts are added below the
// others and the polite live region says how many; elsewhere, or while the connection is down, the
// "New replies — show" link appears instead.
(function () {
  "use strict";
  var live = document.querySelector("[data-live-updates]");
  var status = document.querySelector("[data-live-status]"), show = document.querySelector("[data-live-show]");
  if (!live || !status || !show || !window.fetch) { return; }
  var link = show.querySelector("a"), after = Number(live.getAttribute("data-after"));
  var lastPage = live.getAttribute("data-last-page") === "true", waiting = 0, failures = 0;
  function replies(count) { return count + " new " + (count === 1 ? "reply" : "replies"); }
  pollWithEtags({
    url: function () { return live.getAttribute("data-live-updates") + "?after=" + after; },
    interval: Number(live.getAttribute("data-interval")), max: Number(live.getAttribute("data-max-interval")),
    changed: function (data) {
      after = data.after;
      if (!data.count) { return; }
      if (lastPage) {
        live.insertAdjacentHTML("beforeend", data.html);
      } else {
        if (!waiting) { link.href = data.show_url; }
        waiting += data.count;
        show.hidden = false;
      }
      status.textContent = replies(lastPage ? data.count : waiting);
    },
    ok: function () {
      failures = 0;
      if (!waiting) { show.hidden = true; }
    },
    failed: function () {
      failures += 1;
      if (failures >= 2) { show.hidden = false; }
    }
  });
})();
// The navigation's counts (templates/base.html): refreshed while the page stays open. A menu link marked
// data-nav-badge="<name>" gets, keeps or hides its badge; an icon beside the folded menu marked
// data-nav-count="<name>" (rendered when the page had some) shows the new count, or hides at zero.
(function () {
  "use strict";
  var source = document.querySelector("[data-counts-url]");
  if (!source || !window.fetch) { return; }
  function badgeOf(link) {
    var badge = link.querySelector(".badge"), hint;
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge rounded-pill text-bg-warning";
      badge.appendChild(document.createTextNode(""));
      hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " unread";
      badge.appendChild(hint);
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
    }
    return badge;
  }
  pollWithEtags({
    url: function () { return source.getAttribute("data-counts-url"); },
    interval: 20000, max: 300000,
    changed: function (counts) {
      Object.keys(counts).forEach(function (name) {
        var count = counts[name];
        document.querySelectorAll("[data-nav-badge='" + name + "']").forEach(function (link) {
          var badge = link.querySelector(".badge");
          if (count) {
            badge = badgeOf(link);
            badge.firstChild.nodeValue = count >= 100 ? "99+" : String(count);  // (unread threads stop at 100)
          }
          if (badge) { badge.hidden = !count; }
        });
        document.querySelectorAll("[data-nav-count='" + name + "']").forEach(function (icon) {
          icon.hidden = !count;
          icon.querySelectorAll("[data-count]").forEach(function (number) { number.textContent = String(count); });
          icon.querySelectorAll("[data-count-label]").forEach(function (label) {
            label.textContent = count + " " + label.getAttribute("data-count-label") + (count === 1 ? "" : "s");
          });
        });
      });
    }
  });
})();
// Reply drafts (templates/discussions/_post_form.html): the text is saved as the member's draft a moment
// after they stop typing, and the status line says so. "Save draft" does the same without JavaScript.
(function () {
  "use strict";
  document.querySelectorAll("[data-draft-save]").forEach(function (button) {
    var form = button.form, body = form && form.querySelector("textarea[name='body']");
    var status = form && form.querySelector("[data-draft-status]");
    var discard = form && form.querySelector("[data-draft-discard]");
    var token = form && form.querySelector("input[name='csrf_token']");
    if (!body || !status || !token || !window.fetch) { return; }
    var timer = null, saved = body.value;
    function save() {
      timer = null;
      var text = body.value, data = new FormData();
      if (text === saved) { return; }
      data.append("body", text);
      fetch(button.formAction, { method: "POST", body: data, credentials: "same-origin",
                                 headers: { "Accept": "application/json", "X-CSRFToken": token.value } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") !== 0) { throw new Error(""); }
          return response.json().then(function (answer) {
            if (!response.ok) {
              var refused = new Error(answer.error || "");
              refused.fromServer = true;
              throw refused;
            }
            return answer;
          });
        })
        .then(function (answer) {
          saved = text;
          status.textContent = answer.status;
          if (discard) { discard.hidden = !answer.saved; }
        })
        .catch(function (error) {
          status.textContent = (error.fromServer && error.message) ||
            "The draft could not be saved just now: your text is still here; Save draft tries again.";
        });
    }
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
    form.addEventListener("submit", function () { clearTimeout(timer); });
  });
})();
// A scholarly item's form (templates/scholarly/edit.html): only the fields the chosen kind uses are shown
// (data-kinds lists them), and the venue's label says what it is for that kind. The server ignores the others.
(function () {
  var kind = document.querySelector("select[data-kind-switch]");
  if (!kind) return;
  var labels = JSON.parse(kind.getAttribute("data-venue-labels") || "{}");
  var venue = document.querySelector("label[for='venue']");
  var fallback = venue ? venue.textContent : "";
  function show() {
    document.querySelectorAll("[data-kinds]").forEach(function (block) {
      block.hidden = block.getAttribute("data-kinds").split(" ").indexOf(kind.value) === -1;
    });
    if (venue) venue.textContent = labels[kind.value] || fallback;
  }
  kind.addEventListener("change", show);
  show();
})();
