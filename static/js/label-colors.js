// Label colours from the config. The Content-Security-Policy allows no style attributes, so
// a label carries its colour in data-label-color and it is set here through the CSSOM (which
// CSP does not govern).
(function () {
  "use strict";
  document.querySelectorAll("[data-label-color]").forEach(function (node) {
    node.style.setProperty("--label-color", node.dataset.labelColor);
  });
})();
