// The web inspector's only script: shows each UTC time also in the browser's time zone, on hover.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const node of document.querySelectorAll("time[datetime]")) {
    const at = new Date(node.getAttribute("datetime"));
    if (!Number.isNaN(at.getTime())) node.title = at.toLocaleString();
  }
});
