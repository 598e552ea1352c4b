// LKE page: re-render one item, the area tabs, the score summary, the plan, the chart and the
// blockers from the server after an upload, a save or a decision, so badges and counts follow
// at once without reloading the page (and the person stays where they are). Other scripts call
// LkeItem.refresh(code) or LkeItem.summary(json) and wire what they need on the new element
// when "lke:item-replaced" fires on it.
"use strict";

window.LkeItem = (function () {
  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function swap(selector, html) {
    const old = document.querySelector(selector);
    const next = html && fromHtml(html);
    if (old && next) old.replaceWith(next);
    return next;
  }

  // A box of the summary swapped whole, its <details> left open or closed as the person had them.
  function swapBox(selector, html) {
    const old = document.querySelector(selector);
    const open = old ? Array.from(old.querySelectorAll("details[open]"), (d) => d.className) : [];
    const next = swap(selector, html);
    if (next) next.querySelectorAll("details").forEach((d) => (d.open = open.includes(d.className)));
    return next;
  }

  // The parts of the page that follow every answer: the area tabs, the score summary, the
  // verdict's shortfalls with the plan and findings, the area chart, what blocks the next step.
  function summary(fragments) {
    swap("nav.area-tabs", fragments.areas);
    swap(".lke-summary .stats", fragments.stats);
    swapBox(".lke-summary .lke-plan", fragments.plan);
    swapBox(".lke-summary .lke-chart", fragments.chart);
    swapBox(".lke-summary .lke-blockers", fragments.blockers);
  }

  // Swap in the fragments of a JSON answer from the item endpoint (or one that embeds it).
  function apply(fragments) {
    summary(fragments);
    const article = swap("#item-" + CSS.escape(fragments.code), fragments.item);
    if (article) article.dispatchEvent(new CustomEvent("lke:item-replaced", { bubbles: true }));
    return article;
  }

  async function refresh(code) {
    const article = document.getElementById("item-" + code);
    if (!article || !article.dataset.fragmentUrl) return null;
    const response = await fetch(article.dataset.fragmentUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return null;
    return apply(await response.json());
  }

  return { refresh, apply, summary };
})();
