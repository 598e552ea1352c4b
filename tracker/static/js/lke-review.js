// LKE page: a reviewer's decision (approve / send back), the unit's resubmission and a
// reviewer's document verdict are posted without reloading the page (issue 14 §5). The server
// answers with the item re-rendered (LkeItem.apply swaps it, the area tabs, the score summary,
// plan, chart and blockers in; the sign-off card is swapped here), or with {error} and 409/422: the error is
// shown at the item and what was typed stays. Without JavaScript the forms post as before.
"use strict";

(function () {
  const FORMS = "article.item form.decision-form, article.item form.check-form";

  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function clearMessages(scope) {
    scope.querySelectorAll(".review-error").forEach((el) => el.remove());
  }

  // The last action's word replaces the previous one (and the page's stale success flashes).
  function say(article, text) {
    document.querySelectorAll(".flashes .flash-success, .review-status").forEach((el) => el.remove());
    if (!article || !text) return;
    const status = document.createElement("p");
    status.className = "flash flash-success review-status";
    status.setAttribute("role", "status");
    status.tabIndex = -1;
    status.textContent = text;
    const row = article.querySelector(".review-row") || article;
    row.prepend(status);
    status.focus({ preventScroll: true });
  }

  function fail(form, text) {
    clearMessages(form.parentElement);
    const error = document.createElement("p");
    error.className = "flash flash-error review-error";
    error.setAttribute("role", "alert");
    error.textContent = text;
    form.after(error);
  }

  function swapSignOff(html) {
    const old = document.querySelector(".card.signoff");
    const next = html && fromHtml(html);
    if (old && next) old.replaceWith(next);
  }

  async function post(form) {
    const article = form.closest("article.item");
    const body = new FormData(form);
    if (!body.has("tier") && article.dataset.tier) body.set("tier", article.dataset.tier);
    const button = form.querySelector("button[type=submit]");
    const networkError = (article.querySelector("[data-network-error]") || form).dataset.networkError;
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (err) {
      button.disabled = false;
      form.removeAttribute("aria-busy");
      fail(form, networkError || "Network error");
      return;
    }
    const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
    if (!isJson) {
      form.submit(); // e.g. a login page after the session expired: post the plain way
      return;
    }
    let answer = await response.json();
    if (response.ok && !answer.item && answer.fragment) {
      // A document verdict answers with where to read the re-rendered item from.
      const message = answer.message;
      const fragment = await fetch(answer.fragment, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      answer = fragment.ok ? { ...(await fragment.json()), message } : { error: fragment.statusText };
    }
    button.disabled = false;
    form.removeAttribute("aria-busy");
    if (response.ok && answer.item) {
      const next = window.LkeItem.apply(answer);
      swapSignOff(answer.signoff);
      say(next, answer.message);
    } else {
      fail(form, answer.error || response.statusText);
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches(FORMS) || !window.fetch) return;
    if (event.defaultPrevented) return;
    event.preventDefault();
    post(form);
  });
})();
