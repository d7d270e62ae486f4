/* Site-wide behaviour, loaded on every page (CSP: scripts from 'self' only).
 * After a failed submit, focus moves to the error summary so screen readers read it and keyboard
 * users start from the list of problems (WCAG 3.3.1, 4.1.3); each item links to its field. */
(function () {
  "use strict";
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      // A field inside a closed section (the template editor's stages) is opened first.
      for (var d = field.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
        d.open = true;
      }
      field.focus();
      field.scrollIntoView({block: "center"});
    });
  }
  /* A link to a section whose content is folded (the template editor's stage sections) unfolds it. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#part-']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    var folded = target && target.querySelector("details");
    if (folded) folded.open = true;
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
})();
