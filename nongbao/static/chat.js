/* The chat without reloading: the question form posts to /chat/send with fetch and the answer is appended.
   Without this file (or without fetch) the form posts the page as usual. */
(function () {
  "use strict";
  var form = document.getElementById("ask");
  var log = document.getElementById("log");
  if (!form || !log || !window.fetch || !window.JSON) { return; }
  var input = form.elements.text;
  var button = form.querySelector("button");
  var token = form.elements.csrf_token.value;

  function add(kind, text) {
    var item = document.createElement("li");
    item.className = "msg " + kind;
    item.textContent = text;
    log.appendChild(item);
    return item;
  }

  function show(item) {
    if (item.scrollIntoView) { item.scrollIntoView({ block: "nearest" }); }
  }

  form.addEventListener("submit", function (event) {
    var text = input.value.trim();
    event.preventDefault();
    if (!text || button.disabled) { return; }
    var question = add("in", text);
    var answer = add("out pending", form.getAttribute("data-wait"));
    show(answer);
    input.value = "";
    button.disabled = true;
    fetch(form.getAttribute("data-send"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ text: text })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        answer.textContent = result.body.reply;
        answer.className = "msg out";
      } else {
        answer.textContent = (result.body.error && result.body.error.message) || form.getAttribute("data-error");
        answer.className = "msg out error";
        question.parentNode.removeChild(question);
        input.value = text;
      }
    }, function () {
      answer.textContent = form.getAttribute("data-error");
      answer.className = "msg out error";
      question.parentNode.removeChild(question);
      input.value = text;
    }).then(function () {
      button.disabled = false;
      show(answer);
      input.focus();
    });
  });

  if (log.lastElementChild) { show(log.lastElementChild); }
})();
