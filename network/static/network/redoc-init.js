/* Starts Redoc on /api/redoc/ from a static file, so the page needs no inline script (CSP). */
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (!container || !window.Redoc) { return; }
  window.Redoc.init(container.dataset.schemaUrl, { hideDownloadButton: false }, container);
}());
