// Works out the SHA-256 of a chosen scan in this browser and fills in the form's field. The
// file input has no name, so the browser never sends the file: scanned forms show the
// signers' names. Optional: without this script staff paste the digest themselves.
(function () {
  "use strict";
  var wrapper = document.getElementById("scan-file-field");
  var picker = document.getElementById("scan-file");
  var field = document.getElementById("scan_sha256");
  var status = document.getElementById("scan-file-status");
  var subtle = window.crypto && window.crypto.subtle;
  if (!wrapper || !picker || !field || !status || !subtle || !window.Blob || !Blob.prototype.arrayBuffer) {
    return;
  }
  wrapper.hidden = false;

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (byte) {
        return ("0" + byte.toString(16)).slice(-2);
      })
      .join("");
  }

  picker.addEventListener("change", function () {
    var file = picker.files && picker.files[0];
    status.textContent = "";
    if (!file) {
      return;
    }
    file
      .arrayBuffer()
      .then(function (buffer) {
        return subtle.digest("SHA-256", buffer);
      })
      .then(function (digest) {
        field.value = hex(digest);
        status.textContent = status.getAttribute("data-done");
      })
      .catch(function () {
        status.textContent = status.getAttribute("data-failed");
      });
  });
})();
