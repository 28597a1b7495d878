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
  var callId = null, collect = null, secret = false, buffer = "", timer = null, busy = false;

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
      // A server error page is not JSON: say the request failed, with its status.
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok || data === null) {
          var error = new Error(problemText(data, response.status));
          error.fields = Object.keys((data && data.errors) || {});
          throw error;
        }
        return data;
      });
    });
  }

  // The title and each field's message (the caller number, the keys), as the server said.
  function problemText(data, status) {
    var parts = [(data && data.title) || (text.failed + " (" + status + ")")];
    var errors = (data && data.errors) || {};
    Object.keys(errors).forEach(function (field) {
      [].concat(errors[field]).forEach(function (message) {
        if (message && parts.indexOf(message) < 0) { parts.push(message); }
      });
    });
    return parts.join(" ");
  }

  function showError(error) {
    statusBox.textContent = error.message;
    statusBox.classList.add("error");
    (error.fields || []).forEach(function (field) {
      var input = document.getElementById("id_" + field);
      if (input) { input.setAttribute("aria-invalid", "true"); }
    });
  }

  function clearError() {
    statusBox.classList.remove("error");
    Array.prototype.forEach.call(root.querySelectorAll("[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
    });
  }

  function enable(on) {
    keys.forEach(function (k) { k.disabled = !on; });
    noInput.disabled = !on;
    hangup.disabled = !callId;
  }

  function show(step) {
    clearError();
    callId = step.call_id;
    promptBox.textContent = step.prompt;
    nodeBox.textContent = step.node;
    var li = document.createElement("li");
    li.textContent = step.prompt;
    transcript.appendChild(li);
    collect = step.collect;
    secret = !!step.secret;
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
      showError(error);
      root.dataset.state = "error";
    });
  }

  function press(key) {
    if (!collect || busy) { return; }
    buffer += key;
    // A password is never shown: one dot a key, as on a card terminal.
    entryBox.textContent = secret ? buffer.replace(/./g, "•") : buffer;
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
    clearError();
    post(root.dataset.startUrl, new FormData(event.target), true).then(show).catch(showError);
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
