// Shows the safety notice on the signing form as soon as the signer picks a country where
// signing may endanger them (Russia, Belarus, Ukraine for its occupied parts) or types an
// address at a Russian mail service, with the paragraph for that reason. Optional: without
// this script the confirmation page shows the same notice and offers to confirm anonymously.
// The rule is the server's (petition/signing/self_service.py: risk_of), passed in the
// notice's data- attributes.
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
  var paragraphs = notice.querySelectorAll("[data-risk]");

  function words(name) {
    return (notice.getAttribute(name) || "").split(/\s+/).filter(Boolean);
  }
  var countryRisks = {};
  words("data-safety-countries").forEach(function (pair) {
    var parts = pair.split(":");
    countryRisks[parts[0]] = parts[1];
  });
  var occupied = words("data-safety-occupied");
  var domains = words("data-safety-domains");

  function mailDomain(address) {
    var at = address.lastIndexOf("@");
    if (at < 0) {
      return "";
    }
    return address.slice(at + 1).trim().toLowerCase().replace(/\.+$/, "");
  }

  function russianMail() {
    var domain = email ? mailDomain(email.value || "") : "";
    if (!domain) {
      return false;
    }
    return domains.some(function (entry) {
      return domain === entry || domain.slice(-(entry.length + 1)) === "." + entry;
    });
  }

  function risk() {
    var code = country ? (country.value || "").toUpperCase() : "";
    if (Object.prototype.hasOwnProperty.call(countryRisks, code)) {
      return countryRisks[code];
    }
    if (russianMail()) {
      return "russia";
    }
    return occupied.indexOf(code) >= 0 ? "occupied" : "";
  }

  function update() {
    var reason = risk();
    Array.prototype.forEach.call(paragraphs, function (paragraph) {
      paragraph.hidden = paragraph.getAttribute("data-risk") !== reason;
    });
    if (reason) {
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
