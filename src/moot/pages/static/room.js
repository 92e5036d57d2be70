/* moot's meeting room: the live participant list (see /j/{id}/status or /s/{id}/status). */
(function () {
  "use strict";
  var main = document.getElementById("room");
  if (!main) { return; }
  var list = document.getElementById("participants");
  var host = main.getAttribute("data-host") === "1";

  function render(people) {
    var items = people.map(function (person) {
      var li = document.createElement("li");
      li.textContent = person.name;
      if (person.host) { li.appendChild(document.createTextNode(" (host)")); }
      if (person.you) { li.appendChild(document.createTextNode(" (you)")); }
      return li;
    });
    list.replaceChildren.apply(list, items);
  }

  window.mootPoll(main.getAttribute("data-status"), function (status) {
    var inside = host ? status.state === "started" : status.state === "in_meeting";
    if (!inside) { window.location.assign(main.getAttribute("data-back")); return true; }
    render(status.participants || []);
    return false;
  });
})();
