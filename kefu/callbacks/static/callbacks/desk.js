// The callback desk: show only the questions on the path the answers take (CB-2).
// The server checks the same path when the call is saved; this only spares the agent
// questions that do not apply.
(function () {
  var form = document.getElementById("call-form");
  if (!form) return;
  var sets = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var index = {};
  sets.forEach(function (s, i) { index[s.dataset.code] = i; });

  function value(s) {
    var kind = s.dataset.kind;
    var inputs = s.querySelectorAll("input, textarea");
    if (kind === "multiple") {
      return Array.prototype.filter.call(inputs, function (x) { return x.checked; })
        .map(function (x) { return x.value; });
    }
    if (kind === "single" || kind === "yes_no") {
      var c = Array.prototype.find.call(inputs, function (x) { return x.checked; });
      return c ? c.value : null;
    }
    var v = inputs[0] ? inputs[0].value.trim() : "";
    return v === "" ? null : (kind === "scale" ? parseInt(v, 10) : v);
  }

  function target(s, v) {
    var branches = JSON.parse(s.dataset.branches || "[]");
    for (var i = 0; i < branches.length; i++) {
      var b = branches[i];
      if (s.dataset.kind === "scale") {
        if (typeof v === "number" && b.min <= v && v <= b.max) return b.goto;
      } else if (s.dataset.kind === "multiple") {
        if (v && v.indexOf(String(b.when)) >= 0) return b.goto;
      } else if (v !== null && String(b.when) === String(v)) {
        return b.goto;
      }
    }
    return null;
  }

  function update() {
    var onPath = {};
    var i = 0, guard = 0;
    while (i >= 0 && i < sets.length && guard++ <= sets.length) {
      var s = sets[i];
      onPath[s.dataset.code] = true;
      var v = value(s);
      var go = (v === null || (Array.isArray(v) && !v.length)) ? null : target(s, v);
      if (go === "END") break;
      i = (go !== null && go in index) ? index[go] : i + 1;
    }
    sets.forEach(function (s) { s.hidden = !onPath[s.dataset.code]; });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
