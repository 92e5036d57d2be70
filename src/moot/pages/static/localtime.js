/* Shows each <time data-local datetime="...Z"> in the visitor's own time zone. */
(function () {
  "use strict";
  var format = { weekday: "short", year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var at = new Date(el.getAttribute("datetime"));
    if (!isNaN(at.getTime())) {
      el.textContent = at.toLocaleString(undefined, format);
      el.title = "Your time";
    }
  });
})();
