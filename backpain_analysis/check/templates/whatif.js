// What-if forms of the back pain check report: the model's linear predictor, evaluated in the page.
// Data: the JSON block #what-if-data (backpain_analysis.check.whatif.what_if_data); the same computation in
// Python is backpain_analysis.check.whatif.evaluate. No library, no network. Allowed by the page's
// Content-Security-Policy by its sha256 hash: any change to this file changes the hash the report computes.
(function () {
  "use strict";
  var node = document.getElementById("what-if-data");
  if (!node) { return; }
  var page = JSON.parse(node.textContent);
  var spec = page.spec;

  function rcs(x, t) {  // restricted cubic spline basis, as backpain_analysis.splines.rcs_basis
    var k = t.length, out = [x], norm = Math.pow(t[k - 1] - t[0], 2), tail = t[k - 1] - t[k - 2];
    var cube = function (u) { return u > 0 ? u * u * u : 0; };
    var last = cube(x - t[k - 2]), beyond = cube(x - t[k - 1]);
    for (var j = 0; j < k - 2; j++) {
      out.push((cube(x - t[j]) - last * (t[k - 1] - t[j]) / tail + beyond * (t[k - 2] - t[j]) / tail) / norm);
    }
    return out;
  }

  function threshold(rule, x) { return rule.at === null || x <= rule.at ? rule.low : rule.high; }

  function exposure(term, v) {
    if (term.table) { return term.table[v === null ? "" : (v ? "yes" : "no")]; }
    if (term.intervals) {
      if (v === null) { return term.missing_value; }
      var minute = Number(v.slice(0, 2)) * 60 + Number(v.slice(3, 5)), e = null;
      term.intervals.forEach(function (run) { if (run[0] <= minute) { e = run[1]; } });
      return e;
    }
    return v === null ? null : threshold(term.rule, v);
  }

  function contribution(term, v) {
    if (term.kind === "binary") {
      var e = exposure(term, v);
      return e === null ? term.missing : term.offset + e * term.coef[0];
    }
    if (v === null) { return term.missing; }
    var x = Math.min(Math.max(v, term.limits[0]), term.limits[1]);
    var cols = term.kind === "spline" ? rcs(x, term.knots) : [x];
    if (term.step !== null) { cols.push(threshold(term.step, x)); }
    var z = term.offset;
    for (var j = 0; j < cols.length; j++) { z += term.coef[j] * cols[j]; }
    return z;
  }

  function historyLoad(h, load) {  // as features.prepare_log: the acute and chronic load, acute / chronic (inf
    if (!h.history) { return {acwr: null, acute_load: null, chronic_load: null}; }  // without chronic load)
    var acute = h.acute_base + h.acute_per_load * load;
    var acwr = (h.chronic !== null && h.chronic > 0) ? acute / h.chronic : (acute > 0 ? Infinity : null);
    return {acwr: acwr, acute_load: acute, chronic_load: h.chronic};
  }

  function loadText(acwr, history) {
    if (!history) { return page.history; }
    if (acwr === null) { return "acute:chronic not known: no load in the weeks before"; }
    var zone = null;
    page.zones.forEach(function (z) {
      if (zone === null && (z.max === null || acwr < z.max || (z.inclusive && acwr === z.max))) { zone = z; }
    });
    var value = acwr === Infinity ? "no load in the weeks before" : acwr.toFixed(2);
    return "acute:chronic " + value + ": " + zone.text;
  }

  function riskText(p) { return (100 * p).toFixed(page.decimals) + "%"; }

  function changeText(d) {
    var f = Math.pow(10, page.decimals), points = Math.round(Math.abs(d) * 100 * f) / f;
    if (points === 0) { return "no change"; }
    return (d > 0 ? "+" : "-") + points.toFixed(page.decimals) + " points";
  }

  function read(form, input) {  // a form value, null when blank; undefined when not acceptable
    var el = form.elements[input.name], raw = el.value.trim();
    if (raw === "") { return input.required ? undefined : null; }
    if (input.kind === "yesno") { return raw === "yes"; }
    if (input.kind === "time") { return /^([01][0-9]|2[0-3]):[0-5][0-9]/.test(raw) ? raw : undefined; }
    var v = Number(raw);
    if (!isFinite(v) || (input.min !== null && v < input.min) || (input.max !== null && v > input.max) ||
        (input.kind === "integer" && Math.floor(v) !== v)) { return undefined; }
    return v;
  }

  function update(form, client) {
    var values = {}, problems = [];
    page.inputs.forEach(function (input) {
      var v = read(form, input);
      if (v === undefined) { problems.push(input.name + ": enter " + input.expected); v = null; }
      values[input.name] = v;
    });
    var risk = form.querySelector("output[name=risk]"), change = form.querySelector("output[name=change]");
    var load = form.querySelector("output[name=load]"), note = form.querySelector(".what-if-problem");
    note.textContent = problems.join("; ");
    if (problems.length) {
      risk.textContent = "?"; risk.removeAttribute("data-risk"); change.textContent = "enter the values above";
      return;
    }
    var sessionLoad = 1;
    page.load.forEach(function (name) { sessionLoad *= values[name]; });
    var derived = historyLoad(client.load_history, sessionLoad), acwr = derived.acwr;
    var z = spec.baseline + client.fixed;
    spec.terms.forEach(function (term) {
      if (page.derived.indexOf(term.column) >= 0) { z += contribution(term, derived[term.column]); }
      else if (term.column !== null && Object.prototype.hasOwnProperty.call(values, term.column)) {
        z += contribution(term, values[term.column]);
      }
    });
    var p = 1 / (1 + Math.exp(-z));
    risk.textContent = riskText(p);
    risk.setAttribute("data-risk", String(p));
    change.textContent = changeText(p - client.risk);
    load.textContent = loadText(acwr, client.load_history.history);
  }

  var forms = document.querySelectorAll("form.what-if");
  Array.prototype.forEach.call(forms, function (form, i) {
    var client = page.clients[i];
    if (!client) { return; }
    var run = function () { update(form, client); };
    form.addEventListener("input", run);
    form.addEventListener("change", run);
    form.addEventListener("reset", function () { window.setTimeout(run, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    run();
  });
}());
