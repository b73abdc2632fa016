// The session warning (templates/council/includes/session_warning.html): shown a few
// minutes before the login ends, with a button that extends it without leaving the page
// (KWCAG: users may ask for more time). Without this script the session simply ends.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) return;
  var form = box.querySelector("form");
  var left = box.querySelector(".session-left");
  var text = document.getElementById("session-warning-text");
  var done = document.getElementById("session-extended");
  var warnSeconds = Number(box.dataset.warnSeconds);
  var endsAt = 0;
  var timer = null;

  function secondsLeft() {
    return Math.max(0, Math.round((endsAt - Date.now()) / 1000));
  }

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function expired() {
    text.textContent = box.dataset.expiredText;
    form.hidden = true;
    left.parentNode.hidden = true;
    box.hidden = false;
  }

  function tick() {
    var seconds = secondsLeft();
    if (seconds === 0) {
      clearInterval(timer);
      expired();
      return;
    }
    if (seconds <= warnSeconds) {
      box.hidden = false;
      left.textContent = clock(seconds);
    }
  }

  function start(seconds) {
    endsAt = Date.now() + seconds * 1000;
    box.hidden = true;
    clearInterval(timer);
    timer = setInterval(tick, 1000);
    tick();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        start(data.seconds_left);
        done.textContent = done.dataset.text;
      })
      .catch(expired);
  });

  start(Number(box.dataset.secondsLeft));
})();
