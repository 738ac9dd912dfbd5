// One device at a time: while an article page is open and visible, tell the server every
// few seconds that this device still reads. When another device has taken the subscription,
// the server answers with the notice, which replaces the body without a reload.
(function () {
  "use strict";
  var marker = document.querySelector(".access-heartbeat");
  var body = document.getElementById("article-body");
  if (!marker || !body) return;
  var article = marker.dataset.article;
  var fence = marker.dataset.fence;
  var url = marker.dataset.url;
  var csrf = marker.dataset.csrf;
  var every = Math.max(5, parseInt(marker.dataset.seconds, 10) || 60) * 1000;
  var stopped = false;

  function beat() {
    if (stopped || document.visibilityState !== "visible") return;
    var form = new FormData();
    form.append("article", article);
    form.append("fence", fence);
    fetch(url, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        if (answer.state === "none") {
          stopped = true; // signed out, or no longer entitled: nothing to hold
        } else if (answer.state === "reading" && answer.fence) {
          fence = String(answer.fence);
        } else if (answer.state === "notice") {
          stopped = true;
          body.innerHTML = answer.html;
        }
      })
      .catch(function () { /* offline for a moment: the next beat tries again */ });
  }

  setInterval(beat, every);
  document.addEventListener("visibilitychange", beat);
})();
