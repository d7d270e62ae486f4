/* Live thread page: new posts, edits, reactions and removals appear without a reload, each post
   rendered by the server for this reader (GET /forums/p/<id>/); new posts and the poster's
   confirmation are announced in a live region; typing and presence; reconnects with backoff and
   resumes from the last sequence number it saw, so nothing is lost.
   The page works without this script (plain form post and reload). No inline scripts (CSP). */
(function () {
  "use strict";
  var list = document.getElementById("posts");
  if (!list || !("WebSocket" in window)) { return; }
  var data = list.dataset;
  var lastSeq = parseInt(data.lastSeq, 10) || 0;
  var status = document.getElementById("live-status");
  var presenceEl = document.getElementById("presence");
  var typingEl = document.getElementById("typing");
  var form = document.getElementById("reply-form");
  var socket = null;
  var attempts = 0;
  var stopped = false;
  var typingTimers = {};
  var readTimer = null;
  var lastTypingSent = 0;
  var reconnectTimer = null;
  var announcer = document.getElementById("thread-announcer");

  function setStatus(text) { if (status) { status.textContent = text; } }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* Screen readers hear new posts and confirmations through one polite live region. */
  function announce(text) {
    if (!announcer || !text) { return; }
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  /* A post is always rendered by the server, for this reader: their own buttons (another reader
     never gets the author's Edit), translated labels, times formatted like the rest of the page.
     One request per post at a time; an event during a request asks for one more afterwards. */
  var inFlight = {};

  function fetchPost(id, onReady) {
    if (inFlight[id]) { inFlight[id].again = true; return; }
    inFlight[id] = { again: false };
    fetch(data.fragmentUrl.replace("0", String(id)), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var again = inFlight[id].again;
        delete inFlight[id];
        if (html) {
          var holder = document.createElement("template");
          holder.innerHTML = html.trim();
          var node = holder.content.firstElementChild;
          if (node) { onReady(node); }
        }
        if (again) { fetchPost(id, onReady); }
      })
      .catch(function () { delete inFlight[id]; setStatus(data.textReload); });
  }

  function place(node) {
    var seq = parseInt(node.dataset.seq, 10);
    var old = document.getElementById(node.id);
    if (old) {
      if (old.classList.contains("is-new")) { node.classList.add("is-new"); }
      old.replaceWith(node);
      return;
    }
    node.classList.add("is-new");
    var posts = list.querySelectorAll("li.post");
    for (var i = 0; i < posts.length; i += 1) {
      if (parseInt(posts[i].dataset.seq, 10) > seq) { list.insertBefore(node, posts[i]); return; }
    }
    list.appendChild(node);
  }

  function addPost(post) {
    if (post.seq <= lastSeq && document.getElementById("post-" + post.seq)) { return; } /* seen */
    if (document.hidden && !document.getElementById("unread-marker")) {
      var marker = el("li", "unread-marker");
      marker.id = "unread-marker";
      marker.appendChild(el("span", "", data.textNew));
      list.appendChild(marker);
    }
    lastSeq = Math.max(lastSeq, post.seq);
    clearTyping(post.author.id);
    fetchPost(post.id, function (node) {
      place(node);
      if (String(post.author.id) !== String(data.personId) && !post.replay) {
        announce(data.textNewPost.replace("%(name)s", post.author.name || ""));
      }
    });
    scheduleRead();
  }

  function replacePost(post) {
    if (!document.getElementById("post-" + post.seq) && post.seq > lastSeq) { addPost(post); return; }
    fetchPost(post.id, place);
  }

  function scheduleRead() {
    if (document.hidden || !data.personId) { return; }
    clearTimeout(readTimer);
    readTimer = setTimeout(function () { send({ type: "read", seq: lastSeq }); }, 1500);
  }

  function clearTyping(personId) {
    if (typingTimers[personId]) { clearTimeout(typingTimers[personId].timer); delete typingTimers[personId]; }
    renderTyping();
  }

  function renderTyping() {
    var names = Object.keys(typingTimers).map(function (k) { return typingTimers[k].name; });
    typingEl.textContent = names.length ? names.join(", ") + " " + data.textTyping : "";
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); return true; }
    return false;
  }

  function handle(event) {
    switch (event.type) {
      case "post.created": if (event.replay) { event.post.replay = true; } addPost(event.post); break;
      case "post.updated":
      case "post.deleted": replacePost(event.post); break;
      case "typing":
        clearTyping(event.person);
        typingTimers[event.person] = { name: event.name, timer: setTimeout(function () { clearTyping(event.person); }, 5000) };
        renderTyping();
        break;
      case "presence":
        /* a summary: at most 20 names, and how many people in all */
        var more = (event.count || 0) - event.viewers.length;
        presenceEl.textContent = event.viewers.length ? data.textHere + " " + event.viewers.join(", ") + (more > 0 ? " +" + more : "") : "";
        break;
      case "thread.updated":
        document.querySelectorAll(".thread-locked").forEach(function (n) { n.classList.toggle("is-hidden", !event.thread.locked); });
        break;
      case "post.ack":
        if (form) {
          form.reset();
          form.querySelector("[name=client_id]").value = newClientId();
          if (replyTo) { replyTo.value = ""; }
          var replying = document.getElementById("replying-to");
          if (replying) { replying.textContent = ""; }
        }
        announce(data.textPosted);
        break;
      case "error":
        setStatus(event.message);
        break;
      default: break; /* hello, ping, resume.done, read, pong */
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    reconnectTimer = null;
    socket = new WebSocket(scheme + location.host + data.wsPath + "?after=" + lastSeq);
    socket.onopen = function () { attempts = 0; setStatus(data.textLive); };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      handle(event);
    };
    socket.onclose = function (closeEvent) {
      socket = null;
      if (closeEvent.code === 4401 || closeEvent.code === 4403 || stopped) {
        setStatus("");
        return; /* signed out or no access: do not hammer the server */
      }
      setStatus(data.textReconnecting);
      attempts += 1;
      var delay = Math.min(15000, 1000 * Math.pow(2, attempts - 1)) * (0.5 + Math.random() / 2);
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  function reconnectNow() {
    /* back online or back on the tab: do not wait out the backoff */
    if (socket || stopped || reconnectTimer === null) { return; }
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    attempts = 0;
    connect();
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  var textarea = form ? form.querySelector("textarea") : null;
  var replyTo = form ? form.querySelector("[name=reply_to]") : null;
  if (form) {
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTypingSent > 3000) { lastTypingSent = now; send({ type: "typing" }); }
    });
    form.addEventListener("submit", function (e) {
      var body = textarea.value.trim();
      if (!body) { return; } /* let the server say what is missing */
      var sent = send({
        type: "post",
        body: body,
        client_id: form.querySelector("[name=client_id]").value,
        reply_to: replyTo && replyTo.value ? parseInt(replyTo.value, 10) : null
      });
      if (sent) { e.preventDefault(); } /* otherwise: plain form post, same client_id */
    });
    list.addEventListener("click", function (e) {
      var link = e.target.closest(".reply-link");
      if (!link || !replyTo) { return; }
      e.preventDefault();
      replyTo.value = link.dataset.replyTo;
      document.getElementById("replying-to").textContent = "↩ #" + link.dataset.replySeq;
      textarea.focus();
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { scheduleRead(); reconnectNow(); }
  });
  window.addEventListener("online", reconnectNow);
  window.addEventListener("beforeunload", function () { stopped = true; });
  connect();
}());
