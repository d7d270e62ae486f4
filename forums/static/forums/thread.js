/* Live thread page: new posts, edits and removals appear without a reload; typing and presence;
   reconnects with backoff and resumes from the last sequence number it saw, so nothing is lost.
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

  function setStatus(text) { if (status) { status.textContent = text; } }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function renderBody(post) {
    if (post.removed) { return el("p", "post-body muted", data.textRemoved); }
    if (post.hidden) { return el("p", "post-body muted", data.textHidden); }
    var body = el("div", "post-body prose");
    body.innerHTML = post.body_html; /* sanitised on the server (markdown-it + nh3) */
    return body;
  }

  function renderPost(post) {
    var li = el("li", "post");
    li.id = "post-" + post.seq;
    li.dataset.seq = post.seq;
    li.dataset.postId = post.id;
    var meta = el("header", "post-meta");
    var link = el("a", "post-seq", "#" + post.seq);
    link.href = "#post-" + post.seq;
    meta.appendChild(link);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(el("strong", "post-author", post.author.name));
    if (post.author.organisation) { meta.appendChild(el("span", "muted", " (" + post.author.organisation + ")")); }
    var time = el("time", "", " · " + new Date(post.created_at).toLocaleString());
    time.setAttribute("datetime", post.created_at);
    meta.appendChild(time);
    if (post.edited_at) { meta.appendChild(el("span", "muted post-edited", " · " + data.textEdited)); }
    if (post.reply_to_seq) {
      var reply = el("a", "muted", " ↩ #" + post.reply_to_seq);
      reply.href = "#post-" + post.reply_to_seq;
      meta.appendChild(reply);
    }
    li.appendChild(meta);
    li.appendChild(renderBody(post));
    var counts = Object.keys(post.reactions || {});
    if (counts.length && !post.removed && !post.hidden) {
      li.appendChild(el("p", "muted reactions", counts.map(function (c) { return c + " " + post.reactions[c]; }).join(" · ")));
    }
    return li;
  }

  function addPost(post) {
    if (post.seq <= lastSeq) { return; } /* de-duplicate by sequence number */
    if (document.hidden && !document.getElementById("unread-marker")) {
      var marker = el("li", "unread-marker");
      marker.id = "unread-marker";
      marker.appendChild(el("span", "", data.textNew));
      list.appendChild(marker);
    }
    var li = renderPost(post);
    li.classList.add("is-new");
    list.appendChild(li);
    lastSeq = post.seq;
    clearTyping(post.author.id);
    scheduleRead();
  }

  function replacePost(post) {
    var old = document.getElementById("post-" + post.seq);
    if (!old) { if (post.seq > lastSeq) { addPost(post); } return; }
    var fresh = renderPost(post);
    old.replaceWith(fresh);
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
      case "post.created": addPost(event.post); break;
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
        if (form) { form.reset(); form.querySelector("[name=client_id]").value = newClientId(); }
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

  if (form) {
    var textarea = form.querySelector("textarea");
    var replyTo = form.querySelector("[name=reply_to]");
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
