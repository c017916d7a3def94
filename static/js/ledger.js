// The KSM ledger: once a receipt or a spending saved here reaches the server, its totals are read
// again (the page's own URL) and replace the ones shown, without a reload.
"use strict";
(() => {
  const totals = document.querySelector("[data-ledger-totals]");
  if (!totals) return;
  document.addEventListener("outbox:settled", async (event) => {
    if (!event.detail.records.some((r) => r.state === "synced")) return;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("[data-ledger-totals]");
      if (fresh) document.querySelector("[data-ledger-totals]").replaceWith(document.adoptNode(fresh));
    } catch {
      // offline: the totals are read again at the next visit
    }
  });
})();
