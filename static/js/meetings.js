// The join button of a meeting page appears without a reload when the join time comes
// (MEETING_JOIN_OPENS_MINUTES, 10, before the start) and goes when the meeting ends: at each
// of those moments the join block is fetched again through the ordinary, access-checked view,
// which decides.
//
//   <div id="meeting-join" data-meeting-join data-opens-at="<unix s when the button shows>"
//        data-ends-at="<unix s of the end>" data-fragment-url="/meetings/<uuid>/?fragment=join">
(function () {
  "use strict";

  var MAX_TIMEOUT_MS = 2147483647;

  function refresh(url) {
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var current = document.getElementById("meeting-join");
        if (!current) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var next = holder.querySelector("#meeting-join");
        if (next) {
          current.replaceWith(next);
          watch(next);
        }
      })
      .catch(function () { /* the next moment (or a reload) tries again */ });
  }

  function at(moment, url) {
    var wait = moment - Date.now();
    if (wait <= 0 || wait > MAX_TIMEOUT_MS) { return; }
    window.setTimeout(function () { refresh(url); }, wait + 1000);
  }

  function watch(element) {
    var url = element.getAttribute("data-fragment-url");
    var opens = Number(element.getAttribute("data-opens-at")) * 1000;
    var ends = Number(element.getAttribute("data-ends-at")) * 1000;
    if (!url || !opens || !ends) { return; }
    at(opens, url);
    at(ends, url);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.querySelector("[data-meeting-join]");
    if (element) { watch(element); }
  });
})();
