// Live preview of a campaign text while staff type. Optional: without this script the
// "Preview" button renders the same preview on the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var panel = document.getElementById(form.getAttribute("data-preview-target"));
  if (!panel) {
    return;
  }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && request === latest) {
          // Sanitised on the server: Markdown through nh3, everything else escaped.
          panel.innerHTML = html;
          panel.hidden = false;
        }
      })
      .catch(function () {
        // Keep the last preview; the Preview button still works.
      });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 600);
  });
})();
