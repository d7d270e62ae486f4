/* The header's notification badge counts live: /ws/notifications/ says how many are unread when it
   connects and sends each new notification; screen readers hear a short announcement. Reconnects
   with backoff. No inline scripts (CSP); without this script the badge is right on every load. */
(function () {
  "use strict";
  var link = document.getElementById("notif-link");
  var badge = document.getElementById("notif-badge");
  var announcer = document.getElementById("notif-announcer");
  if (!link || !badge || !("WebSocket" in window)) { return; }
  var count = parseInt(badge.textContent, 10) || 0;
  var attempts = 0;
  var stopped = false;

  function show(n) {
    count = Math.max(0, n);
    badge.textContent = String(count);
    badge.hidden = count === 0;
    badge.setAttribute("aria-label", link.dataset.textUnread.replace("%(n)s", String(count)));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + link.dataset.wsPath);
    socket.onopen = function () { attempts = 0; };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "hello" && typeof event.unread === "number") { show(event.unread); link.dataset.live = "1"; }
      if (event.type === "notification.created") {
        show(count + 1);
        if (announcer && event.notification) {
          announcer.textContent = link.dataset.textNew.replace("%(title)s", event.notification.title || "");
        }
      }
    };
    socket.onclose = function (closeEvent) {
      if (stopped || closeEvent.code === 4401 || closeEvent.code === 4403) { return; }
      attempts += 1;
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2));
    };
  }

  window.addEventListener("beforeunload", function () { stopped = true; });
  connect();
}());
