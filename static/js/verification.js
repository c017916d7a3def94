// The supervisor's decision on a pay period (templates/verification/_form.html): the button pressed
// ("Verifikasi" or "Kembalikan") is the decision, asked once more before it is saved; returning needs
// a reason. forms.js saves the record through the outbox.
"use strict";
(() => {
  for (const form of document.querySelectorAll("form[data-verification]")) {
    const decision = form.querySelector("[data-decision]");
    const reason = form.elements.reason;
    for (const button of form.querySelectorAll("[data-decide]")) {
      button.addEventListener("click", (event) => {
        const returning = button.dataset.decide === "returned";
        reason.required = returning;
        decision.value = button.dataset.decide;
        if (returning && !reason.value.trim()) return; // forms.js shows the browser's "fill this in"
        if (!window.confirm(button.dataset.confirm)) event.preventDefault();
      });
    }
    // Show the period's new state once the server has it (forms.js: "settled" follows the reply).
    form.addEventListener("outbox:settled", (event) => {
      if (event.detail.records.every((r) => r.state === "synced")) window.location.reload();
    });
  }
})();
