/* The host page: waiting room with Admit buttons and the participants, kept current without reloading. */
(function () {
  "use strict";
  var main = document.getElementById("host");
  if (!main) { return; }
  var csrf = main.getAttribute("data-csrf");
  var admitUrl = main.getAttribute("data-admit");

  function admitForm(person) {
    var li = document.createElement("li");
    var form = document.createElement("form");
    form.method = "post";
    form.action = admitUrl;
    form.className = "inline";
    [["csrf_token", csrf], ["participant", person.id]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    var name = document.createElement("span");
    name.className = "waiting-name";
    name.textContent = person.name + " ";
    var button = document.createElement("button");
    button.type = "submit";
    button.textContent = "Admit";
    form.appendChild(name);
    form.appendChild(button);
    li.appendChild(form);
    li.setAttribute("data-id", person.id);
    return li;
  }

  function person(p) {
    var li = document.createElement("li");
    li.textContent = p.name + (p.host ? " (host)" : "");
    return li;
  }

  function show(state) {
    main.querySelectorAll("[data-states]").forEach(function (el) {
      el.hidden = el.getAttribute("data-states") !== state;
    });
  }

  var shownWaiting = "";
  function apply(status) {
    if (status.state === "signed_out") { window.location.reload(); return true; }
    show(status.state);
    var waiting = status.waiting || [];
    var key = JSON.stringify(waiting);
    if (key !== shownWaiting) {  /* rebuilt only on change, so a click is not lost mid-poll */
      shownWaiting = key;
      var list = document.getElementById("waiting");
      list.replaceChildren.apply(list, waiting.map(admitForm));
      document.getElementById("nobody-waiting").hidden = waiting.length > 0;
    }
    var people = document.getElementById("participants");
    people.replaceChildren.apply(people, (status.participants || []).map(person));
    return false;
  }

  window.mootPoll(main.getAttribute("data-status"), apply);
})();
