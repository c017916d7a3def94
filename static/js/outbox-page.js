// The /outbox page: every record on this phone with its state and the server's message.
"use strict";
(() => {
  const STATES = {
    pending: ["Menunggu dikirim", "warn"], sending: ["Sedang dikirim", "warn"], synced: ["Terkirim", "ok"],
    conflict: ["Bentrok — menunggu keputusan supervisor", "bad"], invalid: ["Ditolak server", "bad"],
    auth: ["Perlu masuk lagi", "warn"],
  };
  // A conflict the supervisor has decided (outbox.js learnOutcomes).
  const DECIDED = {
    kept_existing: ["Diputuskan: data tersimpan dipertahankan", "bad"],
    kept_incoming: ["Diputuskan: data ini diterima", "ok"],
  };
  const list = document.querySelector("[data-outbox-list]");
  const status = document.querySelector("[data-outbox-status]");

  function item(record) {
    const li = document.createElement("li");
    li.className = "outbox-item";
    const decided = record.state === "conflict" && DECIDED[record.outcome?.status];
    const [label, tone] = decided || STATES[record.state] || [record.state, ""];
    li.dataset.state = record.state;
    if (decided) li.dataset.outcome = record.outcome.status;
    const head = document.createElement("div");
    head.append(Object.assign(document.createElement("span"), { className: `tag state ${tone}`, textContent: label }));
    head.append(Object.assign(document.createElement("strong"), { textContent: record.label || record.kind }));
    li.append(head);
    const when = new Date(record.seq / 1000).toLocaleString("id-ID");
    li.append(Object.assign(document.createElement("small"), { className: "muted", textContent: `Dibuat ${when}` }));
    if (record.message) li.append(Object.assign(document.createElement("p"), { textContent: record.message }));
    for (const [field, message] of Object.entries(record.errors || {})) {
      li.append(Object.assign(document.createElement("p"), { className: "error", textContent: field === "record" ? message : `${field}: ${message}` }));
    }
    if (record.state === "invalid") {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "small", textContent: "Hapus dari HP" });
      button.addEventListener("click", async () => {
        if (confirm("Data yang ditolak ini akan dihapus dari HP dan tidak dapat dikembalikan. Hapus?")) await Outbox.discard(record.uuid);
      });
      li.append(button);
    }
    return li;
  }

  // Only the signed-in user's records (Outbox.mine): another user's stay hidden until they sign in.
  function render(records) {
    list.replaceChildren();
    if (!records.length) {
      list.append(Object.assign(document.createElement("p"), { className: "empty", textContent: "Kotak keluar kosong." }));
      return;
    }
    const ul = Object.assign(document.createElement("ul"), { className: "list" });
    for (const record of [...records].reverse()) ul.append(item(record));
    list.append(ul);
  }

  async function showStorage() {
    const box = document.querySelector("[data-storage-use]");
    if (!navigator.storage?.estimate) return;
    const { usage, quota } = await navigator.storage.estimate();
    const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
    box.textContent = `Penyimpanan HP terpakai ${(usage / 1e6).toFixed(1)} MB dari ${(quota / 1e6).toFixed(0)} MB`
      + (persisted ? " · dilindungi dari pembersihan otomatis" : "");
  }

  document.addEventListener("outbox:changed", (event) => {
    render(event.detail.records);
    const { unsent, others } = event.detail;
    status.textContent = `${unsent} data belum terkirim.`
      + (others ? ` ${others} data pengguna lain juga menunggu di HP ini sampai pemiliknya masuk.` : "");
  });
  document.querySelector("[data-sync-now]").addEventListener("click", async () => {
    status.textContent = "Mengirim…";
    await Outbox.sync({ force: true });
  });
  document.querySelector("[data-export-unsent]").addEventListener("click", async () => {
    const n = await Outbox.exportUnsent();
    status.textContent = `${n} data belum terkirim diunduh sebagai berkas JSON.`;
  });
  Outbox.mine().then(render);
  showStorage();
})();
