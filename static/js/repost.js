// The institution's answer arrives as a cross-site POST, which carries no session cookie: its fields are
// posted again from this page of ours (templates/identity/repost.html). Without script, the "Continue"
// button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-auto-submit]");
  if (form) { form.submit(); }
})();
