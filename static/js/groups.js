// Live updates of a group's board and thread pages. The pages work without this file.
//
// A push on /ws/groups/<uuid>/ carries a type and a thread UUID, never content; the page then
// re-fetches its own fragment through the ordinary, access-checked view:
//   <div id="group-board" data-realtime-group="/ws/groups/<group uuid>/"
//        data-refresh-url="/groups/<group uuid>/?fragment=1">…</div>
//   <div id="group-thread" data-realtime-group="/ws/groups/<group uuid>/"
//        data-thread="<thread uuid>" data-refresh-url="/groups/threads/<uuid>/?fragment=1">…</div>
// A thread page only refreshes for nudges about its own thread. Fetching a fragment does not
// mark anything read (the next visit does).
(function () {
  "use strict";

  var REFUSED = 4404;
  var MIN_DELAY = 1000;
  var MAX_DELAY = 60000;

  function socketUrl(path) {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  }

  function start(container) {
    var path = container.dataset.realtimeGroup;
    var url = container.dataset.refreshUrl;
    var thread = container.dataset.thread || null;
    var delay = MIN_DELAY;
    var stopped = false;
    var fetching = false;
    var again = false;

    function refresh() {
      if (fetching) {
        again = true;
        return;
      }
      var active = document.activeElement;
      if (active && container.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName)) {
        active.addEventListener("blur", refresh, { once: true });
        return;
      }
      fetching = true;
      window
        .fetch(url, { credentials: "same-origin", headers: { "X-Realtime": "1" }, redirect: "error" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          var template = document.createElement("template");
          template.innerHTML = html.trim();
          container.replaceChildren(template.content);
          if (window.htmx && typeof window.htmx.process === "function") window.htmx.process(container);
          container.dispatchEvent(new CustomEvent("groups:refreshed", { bubbles: true }));
        })
        .catch(function () {})
        .then(function () {
          fetching = false;
          if (again) {
            again = false;
            refresh();
          }
        });
    }

    function open() {
      if (stopped) return;
      var socket;
      try {
        socket = new WebSocket(socketUrl(path));
      } catch (error) {
        retry();
        return;
      }
      socket.addEventListener("open", function () {
        if (container.dataset.realtime === "closed") refresh(); // catch up after a drop
        container.dataset.realtime = "open";
        delay = MIN_DELAY;
      });
      socket.addEventListener("message", function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (!data || typeof data.type !== "string") return;
        if (thread !== null && data.id !== thread) return;
        refresh();
      });
      socket.addEventListener("close", function (event) {
        container.dataset.realtime = "closed";
        if (event.code === REFUSED) {
          stopped = true;
          return;
        }
        retry();
      });
      window.addEventListener("pagehide", function () {
        stopped = true;
        socket.close(1000);
      });
    }

    function retry() {
      window.setTimeout(open, delay + Math.floor(Math.random() * delay * 0.5));
      delay = Math.min(delay * 2, MAX_DELAY);
    }

    open();
  }

  function init() {
    if (!("WebSocket" in window) || !("fetch" in window)) return;
    var containers = document.querySelectorAll("[data-realtime-group]");
    for (var i = 0; i < containers.length; i++) start(containers[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
