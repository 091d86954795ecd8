// Shows the safety notice on the signing form as soon as the signer picks Russia or types
// an address at a Russian mail service. Optional: without this script the confirmation
// page shows the same notice and offers to confirm anonymously. The rule is the server's
// (petition/signing/self_service.py: at_risk), passed in the notice's data- attributes.
(function () {
  "use strict";
  var notice = document.getElementById("safety-notice");
  if (!notice || !notice.hasAttribute("data-safety-domains")) {
    return;
  }
  var form = notice.closest("form");
  if (!form) {
    return;
  }
  var country = form.elements.namedItem("country");
  var email = form.elements.namedItem("email");

  function words(name) {
    return (notice.getAttribute(name) || "").split(/\s+/).filter(Boolean);
  }
  var countries = words("data-safety-countries");
  var domains = words("data-safety-domains");

  function mailDomain(address) {
    var at = address.lastIndexOf("@");
    if (at < 0) {
      return "";
    }
    return address.slice(at + 1).trim().toLowerCase().replace(/\.+$/, "");
  }

  function atRisk() {
    if (country && countries.indexOf((country.value || "").toUpperCase()) >= 0) {
      return true;
    }
    var domain = email ? mailDomain(email.value || "") : "";
    if (!domain) {
      return false;
    }
    return domains.some(function (entry) {
      return domain === entry || domain.slice(-(entry.length + 1)) === "." + entry;
    });
  }

  function update() {
    if (atRisk()) {
      if (notice.hidden) {
        notice.setAttribute("role", "status");
        notice.hidden = false;
      }
    } else if (!notice.hidden) {
      notice.hidden = true;
      notice.removeAttribute("role");
    }
  }

  var typing = null;
  function updateSoon() {
    window.clearTimeout(typing);
    typing = window.setTimeout(update, 400);
  }

  if (country) {
    country.addEventListener("change", update);
  }
  if (email) {
    email.addEventListener("change", update);
    email.addEventListener("input", updateSoon);
  }
  update(); // the browser may have restored or autofilled the fields
})();
