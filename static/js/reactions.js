// The thread page's "helpful" buttons (templates/discussions/_reactions.html): sent with fetch and updated in
// place (pressed state, count, who found it helpful) instead of reloading the page; without this script the
// form posts and the page comes back at the post. "Who" opens on hover too, and by tap or keyboard natively.
(function () {
  "use strict";
  function update(box, answer) {
    var button = box.querySelector(".helpful-button");
    var who = box.querySelector(".helpful-who");
    var names = box.querySelector(".helpful-names");
    button.setAttribute("aria-pressed", String(answer.given));
    box.querySelectorAll("[data-helpful-count]").forEach(function (count) { count.textContent = answer.count; });
    names.textContent = "";
    answer.names.forEach(function (name) {
      var item = document.createElement("li");
      item.textContent = name;
      names.appendChild(item);
    });
    who.hidden = answer.count === 0;
    if (answer.count === 0) { who.open = false; }
  }
  document.querySelectorAll("[data-helpful]").forEach(function (box) {
    var form = box.querySelector("form");
    var who = box.querySelector(".helpful-who");
    // Opened by hovering, it closes when the pointer leaves; a click (or a tap, which hovers first) keeps it open.
    var byHover = false;
    who.addEventListener("mouseenter", function () { if (!who.open) { who.open = true; byHover = true; } });
    who.addEventListener("mouseleave", function () { if (byHover) { who.open = false; byHover = false; } });
    who.querySelector("summary").addEventListener("click", function (event) {
      if (byHover) { event.preventDefault(); byHover = false; }
    });
    if (!form || !window.fetch) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (answer) { update(box, answer); button.disabled = false; button.focus(); })
        .catch(function () { form.submit(); });  // the page's own way: post and come back
    });
  });
})();
