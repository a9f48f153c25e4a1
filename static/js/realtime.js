// Live updates over websockets. Every page works without this file: it only saves a reload.
//
// A push carries a type and a UUID, never content. What changed is fetched through the
// ordinary, access-checked views and swapped into the page.
//
// The page opts in with data attributes (no inline script; the CSP forbids it):
//   <div id="timeline-posts"
//        data-realtime-timeline="/ws/residents/<resident uuid>/"
//        data-post-fragment-url="/posts/00000000-0000-0000-0000-000000000000/?fragment=1">
//     <p data-realtime-empty>…</p>   (optional: removed when the first post arrives)
//     <article id="post-<post uuid>">…</article> …
//   </div>
//   <a id="nav-notifications" data-realtime-notifications="/ws/me/"
//      data-badge-url="/notifications/badge/">… <span id="nav-notifications-badge">…</span></a>
(function () {
  "use strict";

  var PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  var REFUSED = 4404; // the server's "no access" close code: do not retry
  var MIN_DELAY = 1000;
  var MAX_DELAY = 60000;

  function socketUrl(path) {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  }

  // Keep a socket open to `path`, calling onMessage(data) for each JSON message and
  // onReconnect() after a reconnection (messages may have been missed meanwhile). Retries with
  // exponential backoff and jitter, sooner when the tab becomes visible or the network returns.
  // `element` carries data-realtime="open" while the socket is open (the server accepts it
  // only after joining the group), "closed" otherwise.
  function follow(element, path, onMessage, onReconnect) {
    var delay = MIN_DELAY;
    var timer = null;
    var socket = null;
    var everOpened = false;
    var stopped = false;

    function schedule() {
      if (stopped || timer !== null) return;
      timer = window.setTimeout(function () {
        timer = null;
        open();
      }, delay + Math.floor(Math.random() * delay * 0.5));
      delay = Math.min(delay * 2, MAX_DELAY);
    }

    function open() {
      if (stopped) return;
      try {
        socket = new WebSocket(socketUrl(path));
      } catch (error) {
        schedule();
        return;
      }
      socket.addEventListener("open", function () {
        element.dataset.realtime = "open";
        delay = MIN_DELAY;
        if (everOpened && onReconnect) onReconnect();
        everOpened = true;
      });
      socket.addEventListener("message", function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (data && typeof data.type === "string") onMessage(data);
      });
      socket.addEventListener("close", function (event) {
        socket = null;
        element.dataset.realtime = "closed";
        if (event.code === REFUSED) {
          stopped = true;
          return;
        }
        schedule();
      });
    }

    function soon() {
      if (socket === null && !stopped) {
        if (timer !== null) {
          window.clearTimeout(timer);
          timer = null;
        }
        delay = MIN_DELAY;
        open();
      }
    }

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") soon();
    });
    window.addEventListener("online", soon);
    window.addEventListener("pagehide", function () {
      stopped = true;
      if (socket !== null) socket.close(1000);
    });
    window.addEventListener("pageshow", function (event) {
      // Back from the back/forward cache: the page may be stale, so count it as a reconnect.
      if (!event.persisted) return;
      stopped = false;
      everOpened = true;
      soon();
    });
    open();
  }

  function fetchHtml(url) {
    return window
      .fetch(url, {
        credentials: "same-origin",
        headers: { "X-Realtime": "1" },
        redirect: "error", // a redirect means the session ended (login page): leave the page as is
      })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      });
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  function activate(element) {
    if (window.htmx && typeof window.htmx.process === "function") window.htmx.process(element);
  }

  // --- A resident's timeline ---------------------------------------------------------

  function followTimeline(container) {
    var fragmentUrl = container.dataset.postFragmentUrl;
    if (!fragmentUrl || fragmentUrl.indexOf(PLACEHOLDER) === -1) return;
    var inFlight = {}; // post id -> true while fetching; "again" when another nudge came meanwhile
    var deferred = {}; // post id -> true while the person is typing inside that post

    function isBusy(element) {
      var active = document.activeElement;
      return (
        active !== null &&
        element.contains(active) &&
        (active.tagName === "TEXTAREA" || active.tagName === "INPUT" || active.tagName === "SELECT")
      );
    }

    function refresh(id, insertIfMissing) {
      var existing = document.getElementById("post-" + id);
      if (!existing && !insertIfMissing) return;
      if (existing && isBusy(existing)) {
        // Do not wipe what someone is typing: refresh once they leave the post.
        if (!deferred[id]) {
          deferred[id] = true;
          existing.addEventListener(
            "focusout",
            function () {
              window.setTimeout(function () {
                delete deferred[id];
                refresh(id, false);
              }, 0);
            },
            { once: true }
          );
        }
        return;
      }
      if (inFlight[id]) {
        inFlight[id] = "again";
        return;
      }
      inFlight[id] = true;
      fetchHtml(fragmentUrl.replace(PLACEHOLDER, id))
        .then(function (html) {
          var fragment = parse(html);
          var incoming = fragment.getElementById("post-" + id) || fragment.firstElementChild;
          if (!incoming) return;
          var current = document.getElementById("post-" + id);
          if (current) {
            current.replaceWith(incoming);
          } else if (insertIfMissing) {
            var empty = container.querySelector("[data-realtime-empty]");
            if (empty) empty.remove();
            container.insertBefore(incoming, container.firstElementChild);
          } else {
            return;
          }
          activate(incoming);
        })
        .catch(function () {
          // 404: not (or no longer) visible to this person; anything else: the next load shows it.
        })
        .then(function () {
          var again = inFlight[id] === "again";
          delete inFlight[id];
          if (again) refresh(id, false);
        });
    }

    follow(
      container,
      container.dataset.realtimeTimeline,
      function (message) {
        var id = message.id;
        if (typeof id !== "string" || !UUID.test(id)) return;
        if (message.type === "post.created") {
          refresh(id, true);
        } else if (/^(post|comment|request)\./.test(message.type)) {
          // post.updated / post.retracted / post.read / post.acked / comment.created /
          // request.*: re-fetch the post if this page shows it.
          refresh(id, false);
        }
      },
      function () {
        container.dispatchEvent(new CustomEvent("realtime:reconnected", { bubbles: true }));
      }
    );
  }

  // --- My notifications (navigation badge) --------------------------------------------

  function followNotifications(link) {
    var badgeUrl = link.dataset.badgeUrl;
    var pending = false;

    function refreshBadge() {
      if (pending || !badgeUrl) return;
      pending = true;
      fetchHtml(badgeUrl)
        .then(function (html) {
          var incoming = parse(html).getElementById("nav-notifications-badge");
          var current = document.getElementById("nav-notifications-badge");
          if (incoming && current) current.replaceWith(incoming);
        })
        .catch(function () {})
        .then(function () {
          pending = false;
        });
    }

    follow(
      link,
      link.dataset.realtimeNotifications,
      function (message) {
        if (message.type === "notification.created") {
          var hint = document.getElementById("notifications-new");
          if (hint) hint.hidden = false;
          refreshBadge();
        } else if (message.type === "notification.read") {
          refreshBadge();
        }
      },
      refreshBadge
    );
  }

  function start() {
    var timeline = document.querySelector("[data-realtime-timeline]");
    if (timeline) followTimeline(timeline);
    var notifications = document.querySelector("[data-realtime-notifications]");
    if (notifications) followNotifications(notifications);
  }

  if (!("WebSocket" in window) || !("fetch" in window)) return;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
