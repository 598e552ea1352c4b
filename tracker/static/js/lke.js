// LKE page: evidence uploads with a progress bar per file, by picking or dragging files, and
// "ganti" (replace) on one file. Each file is its own request (raw body), so one slow or
// rejected file does not hold up the others, and the page stays usable while they run.
// As soon as an upload ends the item's evidence column, its badges, the area tabs and the
// score summary are re-rendered from the server (the answer column is left alone: it may hold
// typed, unsaved answers). Listeners sit on the document, so re-rendered columns keep working.
// Without JavaScript the plain forms post.
"use strict";

(function () {
  const csrf = () => document.querySelector('input[name="csrf_token"]').value;

  // --- progress rows ---------------------------------------------------------------------

  function progressList(article, documentKey) {
    const doc = article && article.querySelector('.doc[data-document="' + CSS.escape(documentKey) + '"]');
    return (doc && doc.querySelector(".upload-progress")) || (article && article.querySelector(".upload-progress"));
  }

  function progressRow(list, file) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    const status = document.createElement("span");
    status.className = "muted small";
    li.append(name, " ", bar, " ", status);
    li.classList.add("upload-running");
    if (list) list.append(li);
    return { li, bar, status };
  }

  // --- re-rendering after an upload ------------------------------------------------------

  const latest = new Map(); // item code -> number of the newest refresh asked for

  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = (html || "").trim();
    return template.content.firstElementChild;
  }

  function replacePart(oldRoot, newRoot, selector) {
    const old = oldRoot && oldRoot.querySelector(selector);
    const next = newRoot && newRoot.querySelector(selector);
    if (old && next) old.replaceWith(next);
    return next;
  }

  // Progress rows stay visible (running, done or refused): they move into the new column
  // (their request handlers hold them by reference and keep updating them).
  function carryProgress(oldCol, article) {
    if (!oldCol) return;
    oldCol.querySelectorAll(".upload-progress li").forEach((li) => {
      const doc = li.closest(".doc");
      const list = progressList(article, doc ? doc.dataset.document : "");
      if (list) list.append(li);
    });
  }

  async function refreshEvidence(code) {
    const article = document.getElementById("item-" + code);
    if (!article || !article.dataset.fragmentUrl) return;
    const n = (latest.get(code) || 0) + 1;
    latest.set(code, n);
    let json;
    try {
      const response = await fetch(article.dataset.fragmentUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      json = await response.json();
    } catch (err) {
      return; // the upload itself succeeded; the next refresh or a reload shows it
    }
    if (latest.get(code) !== n) return; // a newer refresh is on its way
    const current = document.getElementById("item-" + code);
    const fresh = fromHtml(json.item);
    if (!current || !fresh) return;
    const oldCol = current.querySelector(".evidence-col");
    const openDetails = Array.from(current.querySelectorAll(".evidence-col details[open]")).map(detailsKey);
    replacePart(current, fresh, ".item-head");
    const newCol = fresh.querySelector(".evidence-col");
    if (oldCol && newCol) {
      oldCol.replaceWith(newCol);
      carryProgress(oldCol, current);
      newCol.querySelectorAll("details").forEach((d) => {
        if (openDetails.includes(detailsKey(d))) d.open = true;
      });
    }
    window.LkeItem.summary(json); // tabs, score, plan, chart, blockers
    current.dispatchEvent(new CustomEvent("lke:evidence-replaced", { bubbles: true }));
  }

  function detailsKey(details) {
    const file = details.closest("[data-file]");
    const doc = details.closest(".doc");
    return [doc ? doc.dataset.document : "", file ? file.dataset.file : "", details.className].join("|");
  }

  // --- sending ---------------------------------------------------------------------------

  function send(url, file, article, documentKey) {
    const ui = progressRow(progressList(article, documentKey), file);
    const code = article ? article.dataset.code : null;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
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
      ui.li.classList.remove("upload-running");
      if (xhr.status === 201) {
        ui.bar.value = 1;
        ui.status.textContent = "✓ " + (body.size || "");
        ui.li.classList.add("upload-ok");
        if (code) refreshEvidence(code);
      } else {
        ui.status.textContent = "✗ " + (body.error || xhr.statusText);
        ui.li.classList.add("upload-failed");
      }
    });
    xhr.addEventListener("error", () => {
      ui.li.classList.remove("upload-running");
      ui.status.textContent = "✗ " + (document.body.dataset.networkError || "network error");
      ui.li.classList.add("upload-failed");
    });
    xhr.send(file);
  }

  function sendAll(zone, files) {
    const article = zone.closest("article.item");
    const doc = zone.closest(".doc");
    Array.from(files).forEach((f) => send(zone.dataset.url, f, article, doc ? doc.dataset.document : ""));
  }

  function sendReplacement(form, file) {
    const article = form.closest("article.item");
    const doc = form.closest(".doc");
    const details = form.closest("details");
    if (details) details.open = false;
    send(form.dataset.url, file, article, doc ? doc.dataset.document : "");
  }

  // --- wiring by delegation --------------------------------------------------------------

  document.addEventListener("change", (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    const zone = input.closest(".dropzone[data-url]");
    const replace = input.closest("form.replace-form[data-url]");
    if (replace && input.files.length) {
      sendReplacement(replace, input.files[0]);
    } else if (zone && input.closest(".upload-form")) {
      sendAll(zone, input.files);
    } else {
      return;
    }
    input.value = "";
  });

  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    const input = form.querySelector('input[type="file"]');
    if (form.matches(".replace-form[data-url]") && input) {
      e.preventDefault();
      if (input.files.length) sendReplacement(form, input.files[0]);
      input.value = "";
    } else if (form.matches(".dropzone[data-url] .upload-form") && input) {
      e.preventDefault();
      sendAll(form.closest(".dropzone"), input.files);
      input.value = "";
    }
  });

  // "ganti" on a file opens the file picker at once; without JavaScript it unfolds a form.
  document.addEventListener("click", (e) => {
    const summary = e.target instanceof Element && e.target.closest("summary[data-replace-picker]");
    if (!summary) return;
    const input = summary.parentElement.querySelector('form.replace-form input[type="file"]');
    if (!input) return;
    e.preventDefault();
    input.click();
  });

  ["dragenter", "dragover"].forEach((type) => document.addEventListener(type, (e) => {
    const zone = e.target instanceof Element && e.target.closest(".dropzone[data-url]");
    if (!zone) return;
    e.preventDefault();
    zone.classList.add("dragging");
  }));
  document.addEventListener("dragleave", (e) => {
    const zone = e.target instanceof Element && e.target.closest(".dropzone[data-url]");
    if (zone && !zone.contains(e.relatedTarget)) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", (e) => {
    const zone = e.target instanceof Element && e.target.closest(".dropzone[data-url]");
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove("dragging");
    sendAll(zone, e.dataTransfer.files);
  });
})();
