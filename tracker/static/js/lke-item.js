// LKE page: re-render one item, the area tabs and the score summary from the server after an
// upload, a save or a decision, so badges and counts follow at once without reloading the page
// (and the person stays where they are). Other scripts call LkeItem.refresh(code) and wire
// what they need on the new element when "lke:item-replaced" fires on it.
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

  // Swap in the fragments of a JSON answer from the item endpoint (or one that embeds it).
  function apply(fragments) {
    swap("nav.area-tabs", fragments.areas);
    swap(".lke-summary .stats", fragments.stats);
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

  return { refresh, apply };
})();
