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
    // One time zone everywhere, as on the server's pages: "2 Desember 2026 pukul 11.07 WITA".
    const when = `${new Date(record.seq / 1000).toLocaleString("id-ID", { timeZone: "Asia/Makassar", dateStyle: "long", timeStyle: "short" })} WITA`;
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

  // One card per saved sheet (records sharing `sheet`): its state the one that most needs attention.
  const URGENCY = ["invalid", "conflict", "auth", "sending", "pending", "synced"];
  function sheetItem(records) {
    const state = URGENCY.find((s) => records.some((r) => r.state === s)) || records[0].state;
    const first = records[0];
    const again = records.every((r) => r.again);
    const li = item({
      ...first, state, label: first.sheet_label, errors: null, outcome: null,
      message: state === "synced" && again ? "Sudah tersimpan sebelumnya." : "",
    });
    li.dataset.sheet = first.sheet;
    li.querySelector("button")?.remove(); // each refused record has its own button in the details
    const details = document.createElement("details");
    details.append(Object.assign(document.createElement("summary"), { textContent: `Rincian (${records.length} pekerja)` }));
    const ul = Object.assign(document.createElement("ul"), { className: "list" });
    for (const r of records) ul.append(item(r));
    details.append(ul);
    li.append(details);
    return li;
  }

  function grouped(records) {
    const cards = [];
    const sheets = new Map();
    for (const r of records) {
      if (!r.sheet) { cards.push(r); continue; }
      if (!sheets.has(r.sheet)) { sheets.set(r.sheet, []); cards.push(sheets.get(r.sheet)); }
      sheets.get(r.sheet).push(r);
    }
    return cards;
  }

  // Only the signed-in user's records (Outbox.mine): another user's stay hidden until they sign in.
  function render(records) {
    list.replaceChildren();
    if (!records.length) {
      list.append(Object.assign(document.createElement("p"), { className: "empty", textContent: "Kotak keluar kosong." }));
      return;
    }
    const ul = Object.assign(document.createElement("ul"), { className: "list" });
    for (const card of grouped(records).reverse()) ul.append(Array.isArray(card) ? sheetItem(card) : item(card));
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
  // A run of many records or photos: "Mengirim data 31–60 dari 90…", then "90 data terkirim."
  const progressBox = document.querySelector("[data-outbox-progress]");
  document.addEventListener("outbox:progress", ({ detail }) => {
    progressBox.hidden = !detail;
    if (!detail) return;
    const { sent, total, sending } = detail;
    progressBox.querySelector("progress").max = total;
    progressBox.querySelector("progress").value = sent;
    progressBox.querySelector("p").textContent = sending
      ? `Mengirim data ${sent + 1}–${sent + sending} dari ${total}…`
      : `${sent} data terkirim.`;
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
