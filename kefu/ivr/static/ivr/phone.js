// The browser keypad (IVR-12): drives a test call through the same engine as the telephony
// API. Keys are collected as a phone platform does: up to the prompt's terminator (or, without
// one, its maximum number of digits), or a pause of INTER_DIGIT_MS after the last key.
(function () {
  "use strict";
  var INTER_DIGIT_MS = 5000;
  var root = document.getElementById("phone");
  if (!root) { return; }
  var text = JSON.parse(document.getElementById("phone-text").textContent);
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var keys = Array.prototype.slice.call(document.querySelectorAll("#keypad .key"));
  var entryBox = document.getElementById("entry");
  var promptBox = document.getElementById("prompt");
  var nodeBox = document.getElementById("node");
  var collectBox = document.getElementById("collect");
  var statusBox = document.getElementById("phone-status");
  var transcript = document.getElementById("transcript");
  var noInput = document.getElementById("no-input");
  var hangup = document.getElementById("hangup");
  var callId = null, collect = null, buffer = "", timer = null, busy = false;

  function url(name) {
    return root.dataset[name].replace("00000000-0000-0000-0000-000000000000", callId);
  }

  function post(target, body, isForm) {
    var headers = { "X-CSRFToken": csrf };
    if (!isForm) { headers["Content-Type"] = "application/json"; }
    return fetch(target, {
      method: "POST", headers: headers, credentials: "same-origin",
      body: isForm ? body : JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error((data && data.title) || (text.failed + " (" + response.status + ")")); }
        return data;
      });
    });
  }

  function enable(on) {
    keys.forEach(function (k) { k.disabled = !on; });
    noInput.disabled = !on;
    hangup.disabled = !callId;
  }

  function show(step) {
    callId = step.call_id;
    promptBox.textContent = step.prompt;
    nodeBox.textContent = step.node;
    var li = document.createElement("li");
    li.textContent = step.prompt;
    transcript.appendChild(li);
    collect = step.collect;
    collectBox.textContent = collect
      ? "(" + collect.min_digits + "–" + collect.max_digits + (collect.terminator ? ", " + collect.terminator : "") + ")"
      : "";
    if (step.done) {
      statusBox.textContent = step.action && step.action.type === "transfer" ? text.transferred : text.ended;
      root.dataset.state = "done";
      enable(false);
      hangup.disabled = !(step.action && step.action.type === "transfer");
    } else {
      root.dataset.state = "waiting";
      statusBox.textContent = "";
      enable(true);
    }
  }

  function send(digits) {
    if (!callId || busy) { return; }
    clearTimeout(timer);
    busy = true;
    root.dataset.state = "sending";
    post(url("inputUrl"), { digits: digits }).then(function (step) {
      buffer = ""; entryBox.textContent = "";
      busy = false;
      show(step);
    }).catch(function (error) {
      busy = false;
      statusBox.textContent = error.message;
      root.dataset.state = "error";
    });
  }

  function press(key) {
    if (!collect || busy) { return; }
    buffer += key;
    entryBox.textContent = buffer;
    clearTimeout(timer);
    // With a terminator the entry ends on it (or after a pause); without one, on the last digit.
    var complete = collect.terminator ? key === collect.terminator : buffer.length >= collect.max_digits;
    if (complete) {
      send(buffer);
    } else {
      timer = setTimeout(function () { send(buffer); }, INTER_DIGIT_MS);
    }
  }

  document.getElementById("phone-start").addEventListener("submit", function (event) {
    event.preventDefault();
    statusBox.textContent = text.dialing;
    transcript.innerHTML = "";
    buffer = ""; entryBox.textContent = "";
    post(root.dataset.startUrl, new FormData(event.target), true).then(show).catch(function (error) {
      statusBox.textContent = error.message;
    });
  });
  keys.forEach(function (k) { k.addEventListener("click", function () { press(k.dataset.key); }); });
  noInput.addEventListener("click", function () { buffer = ""; send(""); });
  hangup.addEventListener("click", function () {
    if (!callId) { return; }
    post(url("hangupUrl"), {}).then(function () {
      statusBox.textContent = text.ended;
      root.dataset.state = "done";
      enable(false);
      hangup.disabled = true;
      collect = null;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT") { return; }
    if ("0123456789*#".indexOf(event.key) >= 0) { press(event.key); }
  });
})();
