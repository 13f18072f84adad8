// Crowd workers: copy the completion code, go back to the platform (a redirect, or MTurk's
// externalSubmit form) after the configured delay, and the time-limit countdown.
(function () {
  "use strict";
  if (window.potatoCrowd) return; // included by the end page and the layout: run once
  window.potatoCrowd = true;

  function start() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var code = document.querySelector(button.dataset.copy);
        if (!code) return;
        var text = code.textContent.trim();
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { select(code); });
        } else {
          select(code);
        }
      });
    });
    var auto = document.querySelector("[data-auto-ms]");
    if (auto) goBackLater(auto);
    var timer = document.querySelector("[data-deadline]");
    if (timer) countDown(timer);
  }

  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function goBackLater(target) {
    var due = Date.now() + (parseInt(target.dataset.autoMs, 10) || 0);
    var status = document.querySelector("[data-countdown]");
    var gone = false;
    (function tick() {
      var left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      if (status) status.textContent = status.dataset.countdown + " " + left + " s…";
      if (Date.now() < due) return void setTimeout(tick, 250);
      if (gone) return;
      gone = true;
      if (target.tagName === "FORM") target.submit();
      else window.location.assign(target.href);
    })();
  }

  function countDown(timer) {
    var deadline = parseFloat(timer.dataset.deadline) * 1000;
    var out = timer.querySelector("span");
    var reloaded = false;
    (function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      out.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      timer.classList.toggle("low", left < 60);
      if (left > 0) return void setTimeout(tick, 1000);
      // Time is up: the server moves the worker on; answers already saved are kept.
      if (!reloaded) { reloaded = true; window.location.reload(); }
    })();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
