// LKE page, issue 14 §1: the area's one answer form (form#area-answers) saved item by item.
// An item is saved on its own ~1.5 s after typing stops, at once on a change or when focus
// leaves it, and by "Simpan semua" (every pending item, without leaving the page). Only the
// item's badges, the area tabs, the score summary, plan, chart and blockers are swapped in
// afterwards (LkeItem.summary): never the fields the person is typing in. While an item has
// unsaved or in-flight changes its answer column carries data-dirty (other scripts leave such
// an item alone), and leaving the page asks first. Without JavaScript the form posts as a
// whole and the server does the same.
"use strict";

(function () {
  const form = document.getElementById("area-answers");
  if (!form) return;
  const DELAY = 1500;
  const timers = new Map(); // code -> timeout id
  const running = new Map(); // code -> promise of the save in flight
  const edits = new Map(); // code -> edit counter: a save only cleans what it sent
  let leaving = false;

  const text = (key) => form.dataset[key] || "";
  const boxOf = (code) =>
    document.querySelector('.answer-form[data-code="' + CSS.escape(code) + '"]');
  const columnOf = (box) => box.closest(".answer-col") || box;
  const fieldsOf = (box) => box.querySelectorAll('[form="area-answers"][name]');

  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = (html || "").trim();
    return template.content.firstElementChild;
  }

  function pendingBoxes() {
    return Array.from(document.querySelectorAll(".answer-col[data-dirty] .answer-form[data-code]"));
  }

  function updateBar() {
    const n = pendingBoxes().length;
    const label = form.querySelector(".pending-count");
    const pending = n === 1 ? text("pendingOne") : text("pending").replace("{n}", n);
    if (label) label.textContent = n ? pending : text("clean");
    form.classList.toggle("has-pending", n > 0);
  }

  function setState(box, state, status) {
    const column = columnOf(box);
    if (state === "clean") column.removeAttribute("data-dirty");
    else column.setAttribute("data-dirty", "");
    box.dataset.state = state;
    const label = box.querySelector(".save-status");
    if (label && status !== undefined) label.textContent = status;
    updateBar();
  }

  function showProblems(box, messages) {
    const holder = box.querySelector(".answer-problems");
    if (!holder) return;
    holder.replaceChildren();
    if (!messages || !messages.length) return;
    const list = document.createElement("ul");
    list.className = "flash flash-error";
    messages.forEach((m) => {
      const li = document.createElement("li");
      li.textContent = m;
      list.append(li);
    });
    holder.append(list);
  }

  // The item's badges and its "answer in error" line from the re-rendered item; the fields
  // stay as they are.
  function applyItem(code, html) {
    const article = document.getElementById("item-" + code);
    const fresh = fromHtml(html);
    if (!article || !fresh) return;
    const head = fresh.querySelector(".item-head");
    const oldHead = article.querySelector(".item-head");
    if (head && oldHead) oldHead.replaceWith(head);
    const error = fresh.querySelector(".item-error");
    const oldError = article.querySelector(".item-error");
    if (oldError && error) oldError.replaceWith(error);
    else if (oldError) oldError.remove();
    else if (error) article.querySelector(".item-head").after(error);
  }

  function bodyFor(box, code) {
    const body = new FormData();
    body.append("csrf_token", form.querySelector('input[name="csrf_token"]').value);
    body.append("only", code);
    fieldsOf(box).forEach((el) => {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      body.append(el.name, el.value);
    });
    return body;
  }

  async function send(code) {
    const box = boxOf(code);
    if (!box) return;
    const sent = edits.get(code) || 0;
    setState(box, "saving", text("saving"));
    let response;
    let data = {};
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: bodyFor(box, code),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      data = await response.json().catch(() => ({}));
    } catch (err) {
      setState(boxOf(code) || box, "failed", text("failed"));
      return;
    }
    const now = boxOf(code) || box;
    if (response.ok && !Array.isArray(data.saved)) {
      // Not the save's answer (a sign-in page after the session ended): nothing was saved.
      setState(now, "failed", text("failed"));
      return;
    }
    if (!response.ok) {
      const messages = (data.errors && data.errors[code]) || [data.error || response.statusText];
      showProblems(now, messages);
      if (response.status === 409) now.dataset.stale = "1"; // someone else saved: no retries
      setState(now, "failed", text("failed"));
      return;
    }
    showProblems(now, []);
    const item = data.items && data.items[code];
    if (item) {
      now.querySelector('input[name$="-version"]').value = item.version;
      now.querySelector('input[name$="-shown"]').value = item.shown;
      applyItem(code, item.item);
    }
    window.LkeItem.summary(data); // tabs, score, plan, chart, blockers
    if (item) now.dataset.saved = item.status;
    if ((edits.get(code) || 0) === sent) {
      // "No changes" only when this page never saved the item (typed, then undone).
      setState(now, "clean", now.dataset.saved || data.message);
    } else {
      schedule(code, DELAY); // typed on while it was saving
    }
  }

  function save(code) {
    clearTimeout(timers.get(code));
    timers.delete(code);
    const box = boxOf(code);
    if (!box || box.dataset.stale) return Promise.resolve();
    const previous = running.get(code) || Promise.resolve();
    const next = previous.then(() => send(code));
    running.set(code, next);
    next.finally(() => {
      if (running.get(code) === next) running.delete(code);
    });
    return next;
  }

  function schedule(code, delay) {
    clearTimeout(timers.get(code));
    timers.set(code, setTimeout(() => save(code), delay));
  }

  function edited(event) {
    const el = event.target;
    if (!(el instanceof Element) || el.getAttribute("form") !== "area-answers") return;
    const box = el.closest(".answer-form[data-code]");
    if (!box) return;
    const code = box.dataset.code;
    if (event.type === "input") edits.set(code, (edits.get(code) || 0) + 1);
    setState(box, "dirty", text("unsaved"));
    if (box.dataset.stale) return;
    // A choice saves at once; typing waits for a pause, or for focus to leave the item.
    const now = el.type === "radio" || el.type === "checkbox";
    schedule(code, now ? 0 : DELAY);
  }

  document.addEventListener("input", edited);
  document.addEventListener("change", edited);
  document.addEventListener("focusout", (event) => {
    const box = event.target instanceof Element && event.target.closest(".answer-form[data-code]");
    if (box && timers.has(box.dataset.code) && !box.contains(event.relatedTarget)) {
      save(box.dataset.code);
    }
  });

  // Enter in a field saves its item (the form's default button would be the first item's).
  document.addEventListener("keydown", (event) => {
    const el = event.target;
    if (event.key !== "Enter" || !(el instanceof HTMLInputElement)) return;
    const box = el.getAttribute("form") === "area-answers" && el.closest(".answer-form[data-code]");
    if (!box) return;
    event.preventDefault();
    save(box.dataset.code);
  });

  // "Simpan semua" saves the pending items one after another, staying on the page; an
  // item's own button saves that item.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter;
    if (button && button.name === "at" && button.value) {
      await save(button.value);
      return;
    }
    for (const box of pendingBoxes()) await save(box.dataset.code);
  });

  window.addEventListener("beforeunload", (event) => {
    if (leaving || (!pendingBoxes().length && !running.size)) return;
    event.preventDefault();
    event.returnValue = "";
  });

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a[href]");
    if (!link || link.target === "_blank" || link.getAttribute("href").startsWith("#")) return;
    if (!pendingBoxes().length && !running.size) return;
    if (!window.confirm(text("leave"))) {
      event.preventDefault();
      return;
    }
    leaving = true; // asked once: no second question from beforeunload
    setTimeout(() => { leaving = false; }, 2000); // a download does not leave the page

  });

  updateBar();
})();
