// A worker's pages (docs/architecture.md, "The worker page").
//   - The worker page (templates/workers/show.html) shows the server's worker; this adds the corrections
//     of the worker this phone holds, never as applied: not sent yet, held for a supervisor, decided.
//   - The edit page (templates/workers/new.html, corrections.js saves it) asks from when and why a
//     worker is no longer active, and asks once more before a change of status is saved.
"use strict";
(() => {
  const longDate = (iso) => new Intl.DateTimeFormat("id-ID", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(`${iso}T00:00:00Z`));

  // --- the worker page ---------------------------------------------------------------------------
  const page = document.querySelector("[data-worker-page]");

  // This worker's corrections on the phone, in the order saved: each replaces a version the page knows
  // (its history) or an earlier one of them. A version the page already shows is no news.
  function corrections(records) {
    const known = new Set(page.dataset.versions.split(" "));
    const found = [];
    for (const r of records) {
      if (r.kind === "worker" && r.replaces && known.has(r.replaces) && !known.has(r.uuid)) {
        known.add(r.uuid);
        found.push(r);
      }
    }
    return found;
  }

  function note(r) {
    if (r.state === "conflict") {
      const decided = r.outcome?.status && r.outcome.status !== "open";
      return decided ? r.message : `menunggu keputusan supervisor. ${r.errors?.record || ""}`;
    }
    if (r.state === "invalid") return `ditolak server: ${Object.values(r.errors || {}).join(" ")} (lihat kotak keluar)`;
    if (r.state === "synced") return "terkirim ke server.";
    if (r.state === "auth") return "tersimpan di HP, belum terkirim: masuk lagi untuk mengirimnya.";
    return "tersimpan di HP, belum terkirim.";
  }

  // What waits or was decided, in words; a correction the server now holds asks for a reload to show it.
  function show(records) {
    const found = corrections(records);
    page.querySelector("[data-phone-notes]").replaceChildren(...found.map((r) => {
      const item = Object.assign(document.createElement("li"), { textContent: ` — ${note(r)}` });
      item.prepend(Object.assign(document.createElement("strong"), { textContent: r.label }));
      item.dataset.state = r.state;
      return item;
    }));
    page.querySelector("[data-phone-state]").hidden = !found.length;
    page.querySelector("[data-phone-reload]").hidden = !found.some(
      (r) => r.state === "synced" || r.outcome?.status === "kept_incoming",
    );
  }

  if (page) {
    page.querySelector("[data-reload]").addEventListener("click", () => location.reload());
    document.addEventListener("outbox:changed", (event) => show(event.detail.records));
    Outbox.mine().then(show);
  }

  // --- the edit page -----------------------------------------------------------------------------
  const form = document.querySelector('form[data-outbox="worker"][data-replaces]');
  const active = form?.elements.namedItem("active");
  if (!active) return;
  const inactive = form.querySelector("[data-inactive]");
  const since = form.elements.namedItem("inactive_from");
  let wasActive = active.checked; // in the version the form corrects

  // Not active: from when (today by default) and why; active: neither is sent.
  function showStatus() {
    inactive.hidden = active.checked;
    for (const el of inactive.querySelectorAll("input, textarea")) el.disabled = active.checked;
    if (!active.checked && !since.value) since.value = since.dataset.default;
  }

  active.addEventListener("change", showStatus);
  form.addEventListener("outbox:filled", (event) => {
    wasActive = event.detail.data.active !== false;
    showStatus();
  });
  form.addEventListener("outbox:saved", (event) => { wasActive = event.detail.records[0].data.active; });
  // Incomplete, forms.js names what is missing; complete, a change of status is asked once more.
  form.querySelector('[type="submit"]').addEventListener("click", (event) => {
    if (active.checked === wasActive || !form.checkValidity()) return;
    const name = form.elements.namedItem("name").value;
    const question = active.checked ? `Aktifkan kembali ${name}?` : `Nonaktifkan ${name} mulai ${longDate(since.value)}?`;
    if (!confirm(question)) event.preventDefault();
  });
  showStatus();
})();
