// Counts an article page as a view (broadsheet.audience). Sends the address in data-beacon
// with the page's referrer, once the page is actually shown: a prerendered page waits until
// the reader opens it. Readers without JavaScript are counted by the <noscript> image instead.
(function () {
  "use strict";
  var script = document.currentScript;
  var beacon = script && script.getAttribute("data-beacon");
  if (!beacon) return;
  function send() {
    var url = beacon + "?r=" + encodeURIComponent((document.referrer || "").slice(0, 1000));
    if (window.fetch) {
      fetch(url, { credentials: "omit", cache: "no-store", keepalive: true }).catch(function () {});
    } else {
      new Image().src = url;
    }
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
