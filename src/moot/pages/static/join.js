/* The join page follows the visitor's state without reloading (see /j/{id}/status). */
(function () {
  "use strict";
  var main = document.getElementById("join");
  if (!main) { return; }
  var submitted = false;

  function show(state, note) {
    main.querySelectorAll("[data-states]").forEach(function (el) {
      el.hidden = el.getAttribute("data-states").split(" ").indexOf(state) < 0;
    });
    main.querySelectorAll("[data-only]").forEach(function (el) {
      el.hidden = el.getAttribute("data-only") !== state;
    });
    main.querySelectorAll("[data-note]").forEach(function (el) {
      el.hidden = el.getAttribute("data-note") !== note;
    });
    main.setAttribute("data-state", state);
  }

  function apply(status) {
    if (status.state === "locked" || status.state === "invalid") { window.location.reload(); return true; }
    show(status.state, status.meeting);
    if (status.state === "in_meeting") { window.location.assign(main.getAttribute("data-enter")); return true; }
    if (status.state === "join_now" && !submitted) {
      submitted = true;
      document.getElementById("auto-join").submit();
      return true;
    }
    return status.state === "deleted" || status.state === "denied";
  }

  var initial = { state: main.getAttribute("data-state"), meeting: main.getAttribute("data-meeting") };
  if (!apply(initial)) {
    window.setTimeout(function () { window.mootPoll(main.getAttribute("data-status"), apply); }, 1500);
  }
})();
