// "What if" (issue 16 §1): the tried answers are posted on every change and the score and
// verdict swapped in; nothing is saved. Without JavaScript the "Hitung nilai" button posts the
// form and the page comes back with the result.
"use strict";

(function () {
  const form = document.getElementById("what-if");
  const result = document.getElementById("what-if-result");
  if (!form || !result) return;
  let timer = null;
  let sent = 0;

  async function score() {
    const mine = ++sent;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json();
      if (mine === sent && data.html) result.innerHTML = data.html;
    } catch (error) {
      // Keep the last result; the button still posts the whole form.
    }
  }

  form.addEventListener("change", () => {
    clearTimeout(timer);
    score();
  });
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(score, 400);
  });
})();
