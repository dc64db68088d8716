// The topic editor: a live SMS part counter (with the provider's signature, as nongbao/segments.py counts) and a
// live preview of the text as the region's farmers receive it (figures filled in by the server).
(function () {
  "use strict";
  var form = document.getElementById("topic-form");
  if (!form) { return; }
  var body = form.querySelector("textarea[name=body]");
  var counter = document.getElementById("sms-counter");
  var previewText = document.getElementById("preview-text");
  var previewParts = document.getElementById("preview-parts");
  var previewProblem = document.getElementById("preview-problem");
  var signature = form.getAttribute("data-signature") || "";
  var maxParts = parseInt(form.getAttribute("data-max-parts") || "3", 10);

  var GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENDED = "^{}\\[~]|€\f";
  var LIMITS = { "GSM-7": [160, 153], "UCS-2": [70, 67] };

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // Parts a message takes, signature included; a character never straddles two parts.
  function count(text) {
    var full = signature + text;
    var chars = Array.from(full);
    var gsm = chars.every(function (c) { return GSM7_BASIC.indexOf(c) >= 0 || GSM7_EXTENDED.indexOf(c) >= 0; });
    var encoding = gsm ? "GSM-7" : "UCS-2";
    var costs = chars.map(function (c) {
      if (gsm) { return GSM7_EXTENDED.indexOf(c) >= 0 ? 2 : 1; }
      return c.codePointAt(0) > 0xFFFF ? 2 : 1;
    });
    var units = costs.reduce(function (a, b) { return a + b; }, 0);
    var single = LIMITS[encoding][0], perPart = LIMITS[encoding][1];
    if (units <= single) { return { parts: full ? 1 : 0, units: units, encoding: encoding }; }
    var parts = 1, used = 0;
    costs.forEach(function (cost) {
      if (used + cost > perPart) { parts += 1; used = 0; }
      used += cost;
    });
    return { parts: parts, units: units, encoding: encoding };
  }

  function showCount() {
    var info = count(body.value.trim());
    counter.textContent = fill(form.getAttribute("data-label-parts"), { parts: info.parts, max: maxParts });
    counter.classList.toggle("flash", info.parts > maxParts);
    counter.classList.toggle("error", info.parts > maxParts);
  }

  var timer = null;
  var sequence = 0;
  function refreshPreview() {
    var mine = ++sequence;
    var data = new FormData(form);
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrf_token") || "" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (!result || mine !== sequence) { return; }
      previewText.textContent = result.text;
      previewParts.textContent = fill(form.getAttribute("data-label-exact"), {
        parts: result.parts, max: result.max_parts, units: result.units, encoding: result.encoding
      });
      previewParts.classList.toggle("flash", result.parts > result.max_parts);
      previewParts.classList.toggle("error", result.parts > result.max_parts);
      previewProblem.hidden = !result.problem;
      previewProblem.textContent = result.problem || "";
    }).catch(function () { /* the preview is a help; saving checks again */ });
  }

  body.addEventListener("input", function () {
    showCount();
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 400);
  });
  showCount();
}());
