// LKE page: evidence uploads with a progress bar per file, by picking or dragging files.
// Each file is its own request (raw body), so one slow or rejected file does not hold up the
// others, and the page stays usable while they run. Without JavaScript the plain form posts.
"use strict";

(function () {
  const csrf = () => document.querySelector('input[name="csrf_token"]').value;

  function row(list, file) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    const status = document.createElement("span");
    status.className = "muted small";
    li.append(name, " ", bar, " ", status);
    list.append(li);
    return { li, bar, status };
  }

  function send(zone, file) {
    const ui = row(zone.querySelector(".upload-progress"), file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", zone.dataset.url);
    xhr.setRequestHeader("X-CSRFToken", csrf());
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) ui.bar.value = e.loaded / e.total;
    });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status === 201) {
        ui.bar.value = 1;
        ui.status.textContent = "✓ " + (body.size || "") + (body.version > 1 ? " · v" + body.version : "");
        ui.li.classList.add("upload-ok");
        zone.dataset.changed = "1";
      } else {
        ui.status.textContent = "✗ " + (body.error || xhr.statusText);
        ui.li.classList.add("upload-failed");
      }
    });
    xhr.addEventListener("error", () => {
      ui.status.textContent = "✗ " + (zone.dataset.networkError || "network error");
      ui.li.classList.add("upload-failed");
    });
    xhr.send(file);
  }

  function wire(zone) {
    const form = zone.querySelector(".upload-form");
    const input = form.querySelector('input[type="file"]');
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      Array.from(input.files).forEach((f) => send(zone, f));
      input.value = "";
    });
    input.addEventListener("change", () => {
      Array.from(input.files).forEach((f) => send(zone, f));
      input.value = "";
    });
    ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.add("dragging");
    }));
    ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.remove("dragging");
    }));
    zone.addEventListener("drop", (e) => Array.from(e.dataTransfer.files).forEach((f) => send(zone, f)));
  }

  document.querySelectorAll(".dropzone[data-url]").forEach(wire);
})();
