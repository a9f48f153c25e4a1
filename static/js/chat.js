// A conversation page, live. The page works without this file (send, reload, "show earlier").
//
// Messages carry a per-conversation sequence number (data-seq, 1, 2, 3 … without gaps). The
// socket (/ws/chat/<uuid>/) only says that something happened:
//   {"type": "message.created" | "message.updated" | "read.updated", "id": <uuid>, "seq": n}
// and the page fetches the messages through the ordinary, access-checked view:
//   <messages-url>?after_seq=<newest seq shown>   → the messages after it, in seq order
// appending only those not shown yet, in order, so a message appears exactly once. When the
// socket is closed the page polls the same URL every few seconds; when it (re)opens, it
// catches up. Scrolling back fetches ?before_seq=<oldest shown>.
//
// Opt-in by data attributes (no inline script, the CSP forbids it):
//   <section data-chat-socket="/ws/chat/<uuid>/" data-messages-url="…" data-read-url="…"
//            data-read-state-url="…">  … <div id="chat-messages"> <article data-seq data-author> …
(function () {
  "use strict";

  var REFUSED = 4404; // the server's "no access" close code: stop
  var POLL_MS = 3000;
  var MIN_DELAY = 1000;
  var MAX_DELAY = 30000;

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  function get(url, accept) {
    return window
      .fetch(url, {
        credentials: "same-origin",
        headers: { "X-Realtime": "1", Accept: accept || "text/html" },
        redirect: "error", // the login page: the session ended, leave the page as it is
      })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return accept === "application/json" ? response.json() : response.text();
      });
  }

  function csrfToken() {
    var input = document.querySelector("#composer input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function start(chat) {
    var list = document.getElementById("chat-messages");
    var status = chat.querySelector("[data-chat-status]");
    var messagesUrl = chat.dataset.messagesUrl;
    var readUrl = chat.dataset.readUrl;
    var readStateUrl = chat.dataset.readStateUrl;
    var socketPath = chat.dataset.chatSocket;
    if (!list || !messagesUrl) return;

    // --- what is shown ---------------------------------------------------------------
    function shown() {
      return list.querySelectorAll(".chat-msg[data-seq]");
    }
    function newestSeq() {
      var items = shown();
      var newest = 0;
      for (var i = 0; i < items.length; i++) newest = Math.max(newest, Number(items[i].dataset.seq));
      return newest;
    }
    function oldestSeq() {
      var items = shown();
      return items.length ? Number(items[0].dataset.seq) : 0;
    }
    function nearBottom() {
      return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 250;
    }
    function toBottom() {
      window.scrollTo(0, document.documentElement.scrollHeight);
    }
    function activate(element) {
      if (window.htmx && typeof window.htmx.process === "function") window.htmx.process(element);
    }

    // --- catching up: append the messages after the newest shown, once each, in order ----
    var fetching = false;
    var again = false;

    function append(wrapper) {
      if (!wrapper) return 0;
      var incoming = wrapper.querySelectorAll(".chat-msg[data-seq]");
      var newest = newestSeq();
      var added = 0;
      for (var i = 0; i < incoming.length; i++) {
        var item = incoming[i];
        var seq = Number(item.dataset.seq);
        if (seq <= newest || document.getElementById("seq-" + seq)) continue;
        if (seq !== newest + 1 && newest !== 0) {
          // Never leave a hole: ask again from the newest shown.
          again = true;
          break;
        }
        list.appendChild(item);
        activate(item);
        newest = seq;
        added += 1;
      }
      if (added) {
        var empty = list.querySelector("[data-chat-empty]");
        if (empty) empty.remove();
      }
      return added;
    }

    function catchUp() {
      if (fetching) {
        again = true;
        return;
      }
      fetching = true;
      var follow = nearBottom();
      get(messagesUrl + "?after_seq=" + newestSeq())
        .then(function (html) {
          var wrapper = parse(html).querySelector(".chat-fragment");
          var added = append(wrapper);
          if (wrapper && wrapper.dataset.hasLater === "1") again = true;
          if (added) {
            if (follow) toBottom();
            markRead();
          }
        })
        .catch(function () {})
        .then(function () {
          fetching = false;
          if (again) {
            again = false;
            catchUp();
          }
        });
    }

    function refreshOne(seq) {
      var current = document.getElementById("seq-" + seq);
      if (!current) return;
      get(messagesUrl + "?after_seq=" + (seq - 1) + "&limit=1")
        .then(function (html) {
          var incoming = parse(html).getElementById("seq-" + seq);
          var shownNow = document.getElementById("seq-" + seq);
          if (incoming && shownNow) {
            shownNow.replaceWith(incoming);
            activate(incoming);
          }
        })
        .catch(function () {});
    }

    // --- 既読 ---------------------------------------------------------------------------
    var reported = 0;

    function markRead() {
      if (!readUrl || document.visibilityState !== "visible") return;
      var seq = newestSeq();
      if (seq <= reported) return;
      reported = seq;
      var body = new URLSearchParams();
      body.set("seq", String(seq));
      window
        .fetch(readUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken() },
          body: body,
        })
        .catch(function () {
          reported = 0;
        });
    }

    function refreshReads() {
      if (!readStateUrl) return;
      get(readStateUrl, "application/json")
        .then(function (data) {
          var members = (data && data.members) || [];
          var items = list.querySelectorAll(".chat-msg[data-seq]");
          for (var i = 0; i < items.length; i++) {
            var counter = items[i].querySelector("[data-read-count]");
            if (!counter) continue;
            var seq = Number(items[i].dataset.seq);
            var author = items[i].dataset.author;
            var count = 0;
            for (var j = 0; j < members.length; j++) {
              if (members[j].user !== author && members[j].seq >= seq) count += 1;
            }
            if (String(count) !== counter.dataset.readCount) {
              counter.dataset.readCount = String(count);
              counter.textContent = counter.textContent.replace(/\d+/, String(count));
            }
          }
        })
        .catch(function () {});
    }

    // --- the socket, and polling while it is closed -------------------------------------
    var socket = null;
    var poller = null;
    var timer = null;
    var delay = MIN_DELAY;
    var stopped = false;

    function startPolling() {
      if (poller !== null || stopped) return;
      poller = window.setInterval(function () {
        catchUp();
        refreshReads();
      }, POLL_MS);
    }
    function stopPolling() {
      if (poller !== null) window.clearInterval(poller);
      poller = null;
    }
    function schedule() {
      if (stopped || timer !== null) return;
      timer = window.setTimeout(function () {
        timer = null;
        open();
      }, delay + Math.floor(Math.random() * delay * 0.5));
      delay = Math.min(delay * 2, MAX_DELAY);
    }

    function open() {
      if (stopped || !socketPath) return;
      try {
        socket = new WebSocket(
          (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + socketPath
        );
      } catch (error) {
        startPolling();
        schedule();
        return;
      }
      socket.addEventListener("open", function () {
        chat.dataset.realtime = "open";
        if (status) status.textContent = "";
        delay = MIN_DELAY;
        stopPolling();
        // Whatever was sent while the page loaded or the socket was down.
        catchUp();
        refreshReads();
      });
      socket.addEventListener("message", function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (!data || typeof data.type !== "string") return;
        if (data.type === "message.created") catchUp();
        else if (data.type === "message.updated" && typeof data.seq === "number") refreshOne(data.seq);
        else if (data.type === "read.updated" || data.type === "members.updated") refreshReads();
      });
      socket.addEventListener("close", function (event) {
        socket = null;
        chat.dataset.realtime = "closed";
        if (event.code === REFUSED) {
          stopped = true;
          stopPolling();
          return;
        }
        if (status) status.textContent = status.dataset.offline || "";
        startPolling();
        schedule();
      });
    }

    // --- scrolling back -----------------------------------------------------------------
    function loadEarlier(link) {
      if (link.dataset.loading === "1") return;
      link.dataset.loading = "1";
      var before = oldestSeq();
      get(messagesUrl + "?before_seq=" + before)
        .then(function (html) {
          var wrapper = parse(html).querySelector(".chat-fragment");
          if (!wrapper) return;
          var height = document.documentElement.scrollHeight;
          var items = wrapper.querySelectorAll(".chat-msg[data-seq]");
          var anchor = list.firstElementChild;
          for (var i = 0; i < items.length; i++) {
            var seq = Number(items[i].dataset.seq);
            if (seq >= before || document.getElementById("seq-" + seq)) continue;
            list.insertBefore(items[i], anchor);
            activate(items[i]);
          }
          window.scrollBy(0, document.documentElement.scrollHeight - height);
          if (wrapper.dataset.hasEarlier !== "1") {
            link.parentNode.remove();
          } else {
            link.href = link.href.replace(/before_seq=\d+/, "before_seq=" + oldestSeq());
          }
        })
        .catch(function () {})
        .then(function () {
          link.dataset.loading = "0";
        });
    }

    var earlier = chat.querySelector("[data-chat-earlier]");
    if (earlier) {
      earlier.addEventListener("click", function (event) {
        event.preventDefault();
        loadEarlier(earlier);
      });
      if ("IntersectionObserver" in window) {
        new IntersectionObserver(function (entries) {
          if (entries.some(function (entry) { return entry.isIntersecting; }) && document.contains(earlier)) {
            loadEarlier(earlier);
          }
        }).observe(earlier);
      }
    }

    // --- sending (htmx posts the composer and swaps it back) -----------------------------
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var element = event.detail && event.detail.elt;
      if (element && element.getAttribute && element.getAttribute("hx-post") === messagesUrl) {
        catchUp();
        window.setTimeout(function () {
          var box = document.querySelector("#composer textarea");
          if (box) box.focus();
        }, 0);
      }
    });

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        markRead();
        if (socket === null && !stopped) catchUp();
      }
    });
    window.addEventListener("pagehide", function () {
      stopped = true;
      stopPolling();
      if (socket !== null) socket.close(1000);
    });

    if (!window.location.hash) toBottom();
    if (!("WebSocket" in window)) startPolling();
    else open();
  }

  function boot() {
    var chat = document.querySelector("[data-chat-socket]");
    if (chat && "fetch" in window) start(chat);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
