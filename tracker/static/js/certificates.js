// Certificates pages: "select all" for batch printing, and live progress of print jobs.
// Progressive enhancement only: without this file the boxes are ticked one by one and a
// reload shows a job's progress.
"use strict";

(() => {
  const ACTIVE = new Set(["queued", "running"]);
  const FIRST_DELAY_MS = 700;
  const MAX_DELAY_MS = 5000;

  function setUpSelectAll(box) {
    const form = box.closest("form");
    const boxes = () => Array.from(form.querySelectorAll('input[type="checkbox"][name="numbers"]'));
    box.hidden = false;
    box.addEventListener("change", () => {
      boxes().forEach((item) => { item.checked = box.checked; });
    });
    form.addEventListener("change", (event) => {
      if (event.target.name !== "numbers") return;
      const all = boxes();
      box.checked = all.length > 0 && all.every((item) => item.checked);
      box.indeterminate = !box.checked && all.some((item) => item.checked);
    });
  }

  function show(job, state) {
    job.className = `job job-${state.status}`;
    const bar = job.querySelector("progress");
    bar.max = state.total || 1;
    bar.value = state.done;
    bar.textContent = `${Math.round(state.ratio * 100)}%`;
    job.querySelector("[data-job-label]").textContent = state.label;
    const error = job.querySelector("[data-job-error]");
    error.textContent = state.error || "";
    error.hidden = !state.error;
    const link = job.querySelector("[data-job-download]");
    if (state.download_url) link.href = state.download_url;
    link.hidden = !state.download_url;
  }

  function poll(job, delay) {
    const url = job.dataset.jobStatus;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((state) => {
        show(job, state);
        if (ACTIVE.has(state.status)) {
          window.setTimeout(() => poll(job, Math.min(delay * 1.3, MAX_DELAY_MS)), delay);
        }
      })
      .catch(() => {
        // A network hiccup: try again, more slowly.
        window.setTimeout(() => poll(job, MAX_DELAY_MS), MAX_DELAY_MS);
      });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-select-all]").forEach(setUpSelectAll);
    document.querySelectorAll("[data-job-status]").forEach((job) => {
      if (ACTIVE.has(job.className.replace(/^job job-/, ""))) poll(job, FIRST_DELAY_MS);
    });
  });
})();
