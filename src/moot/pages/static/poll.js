/* mootPoll(url, onStatus): GET url as JSON every 1.5 s; onStatus returns true to stop. */
window.mootPoll = function (url, onStatus) {
  "use strict";
  function next(delay) { window.setTimeout(tick, delay); }
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) { if (!onStatus(status)) { next(1500); } })
      .catch(function () { next(3000); });
  }
  tick();
};
