// Progressive enhancement of the newsletter signup forms: submit in place and show the answer.
// Without JavaScript the form posts normally and the answer is a page of its own.
(function () {
  "use strict";
  function enhance(form) {
    var status = form.querySelector("[data-signup-status]");
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        var messages = [result.data.message];
        var errors = result.data.errors || {};
        Object.keys(errors).forEach(function (name) { messages = messages.concat(errors[name]); });
        status.textContent = messages.filter(Boolean).join(" ");
        status.className = "nl-status" + (result.ok ? "" : " nl-status--error");
        if (result.ok) form.reset();
      }).catch(function () {
        form.submit();
      }).finally(function () {
        if (button) button.disabled = false;
      });
    });
  }
  document.querySelectorAll("form[data-newsletter-signup]").forEach(enhance);
})();
