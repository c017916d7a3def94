// Paying wages on the treasurer's phone: tap a worker (or "bayar semua"), confirm the amount,
// take the worker's signature or a photo of the thumbprinted list; each payment goes into the
// outbox (outbox.js) with a uuid made when the payment sheet opens, and is sent exactly once.
"use strict";
(() => {
  const list = document.querySelector("[data-wage-list]");
  const dialog = document.querySelector("[data-pay-dialog]");
  if (!list || !dialog) return;
  const form = dialog.querySelector("[data-pay-form]");
  const canvas = dialog.querySelector("[data-signature]");
  const pad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)" });
  const rupiah = (n) => `Rp ${n.toLocaleString("id-ID")}`;
  const localDay = () => new Date(Date.now() - new Date().getTimezoneOffset() * 6e4).toISOString().slice(0, 10);
  let current = null; // {row, uuid, photo, resolve}

  // The "Dibayar" total follows each payment saved on this phone, without a reload.
  function addToTotal(amount) {
    const total = document.querySelector("[data-paid-total]");
    if (!total) return;
    total.dataset.amount = String(Number(total.dataset.amount) + amount);
    total.textContent = rupiah(Number(total.dataset.amount));
  }

  // A payment saved on this phone, in words: "tersimpan di HP" until the server has it.
  const SAVED = "Dibayar (tersimpan di HP)";
  const STATES = { synced: "Dibayar", conflict: "Dibayar — menunggu keputusan supervisor", invalid: "Ditolak server — lihat kotak keluar" };

  function markPaid(row, record) {
    if (!row.dataset.paid) addToTotal(Number(row.dataset.amount));
    row.dataset.paid = "yes";
    const status = row.querySelector("[data-status]");
    const tag = Object.assign(document.createElement("span"), { className: "tag ok", textContent: STATES[record.state] || SAVED });
    tag.dataset.paymentUuid = record.uuid;
    status.replaceChildren(tag);
  }

  // The row follows its record as the outbox sends it, without a reload.
  document.addEventListener("outbox:changed", (event) => {
    for (const r of event.detail.records) {
      if (r.kind !== "payment") continue;
      const tag = list.querySelector(`[data-payment-uuid="${CSS.escape(r.uuid)}"]`);
      if (tag) Object.assign(tag, { textContent: STATES[r.state] || SAVED, className: r.state === "invalid" ? "tag bad" : "tag ok" });
    }
  });

  // Pay one row: resolves true when saved, false when cancelled.
  function pay(row) {
    return new Promise((resolve) => {
      current = { row, uuid: Outbox.newId(), photo: "", resolve };
      const { name, days, rate, amount } = row.dataset;
      dialog.querySelector("[data-pay-name]").textContent = name;
      dialog.querySelector("[data-pay-detail]").textContent = `${days} HOK × ${rupiah(Number(rate))}`;
      dialog.querySelector("[data-pay-amount]").textContent = rupiah(Number(amount));
      dialog.querySelector("[data-pay-status]").textContent = "";
      dialog.querySelector("[data-photo-note]").textContent = "";
      form.reset();
      dialog.querySelector("[data-no-proof]").open = false;
      const date = form.elements.paid_on;
      date.min = list.dataset.start;
      date.max = localDay();
      date.value = localDay() < list.dataset.start ? list.dataset.start : localDay();
      pad.clear();
      showReference();
      dialog.showModal();
    });
  }

  function close(saved) {
    dialog.close();
    const done = current;
    current = null;
    done?.resolve(saved);
  }

  function showReference() {
    dialog.querySelector("[data-reference-field]").hidden = form.elements.method.value !== "transfer";
  }

  async function save() {
    const { row, uuid, photo } = current;
    const method = form.elements.method.value;
    const reference = form.elements.reference.value.trim();
    const status = dialog.querySelector("[data-pay-status]");
    const noProof = pad.isEmpty() && !photo;
    const reason = form.elements.no_proof_reason.value.trim();
    const paidOn = form.elements.paid_on.value;
    if (noProof && reason.length < 10) {
      dialog.querySelector("[data-no-proof]").open = Boolean(reason) || dialog.querySelector("[data-no-proof]").open;
      return (status.textContent = reason
        ? "Alasan tanpa bukti paling sedikit 10 karakter."
        : "Minta tanda tangan pekerja, atau foto daftar bercap jempol, atau pilih \"Bayar tanpa bukti\" dan tulis alasannya.");
    }
    if (method === "transfer" && !reference) return (status.textContent = "Isi nomor referensi transfer.");
    if (!paidOn || paidOn > localDay() || paidOn < list.dataset.start) {
      return (status.textContent = "Tanggal bayar harus antara awal periode dan hari ini.");
    }
    const signature = pad.isEmpty() ? null : await SignaturePng.png(canvas); // about 1 KB (signature.js)
    const days = Number(row.dataset.days);
    const data = {
      ksm_id: Number(list.dataset.ksmId), worker_uuid: row.dataset.workerUuid,
      period_start: list.dataset.start, period_end: list.dataset.end, days,
      daily_rate: Number(row.dataset.rate), amount: Number(row.dataset.amount), paid_on: paidOn,
      method, reference, signature, photo: photo || null, no_proof_reason: noProof ? reason : null,
    };
    await Outbox.save([{ uuid, kind: "payment", data, label: `${list.dataset.label}: ${row.dataset.name}` }]);
    markPaid(row, { uuid, state: "pending" });
    if (noProof) row.querySelector("[data-status]").append(" ", Object.assign(document.createElement("span"), { className: "tag warn", textContent: "Tanpa bukti" }));
    close(true);
    return undefined;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  form.elements.method.addEventListener("change", showReference);
  dialog.querySelector("[data-pay-cancel]").addEventListener("click", () => close(false));
  dialog.addEventListener("cancel", () => close(false));
  dialog.querySelector("[data-signature-clear]").addEventListener("click", () => pad.clear());
  dialog.querySelector("[data-photo]").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    current.photo = file ? await Photo.shrink(file) : "";
    dialog.querySelector("[data-photo-note]").textContent = current.photo ? "Foto siap." : "";
  });

  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-pay]");
    if (button) pay(button.closest("[data-worker-row]"));
  });
  document.querySelector("[data-pay-all]")?.addEventListener("click", async () => {
    for (const row of list.querySelectorAll("[data-worker-row]")) {
      if (row.dataset.paid || row.dataset.days === "0") continue;
      if (!(await pay(row))) break; // "Batal" stops the round
    }
  });

  // Payments saved on this phone but not yet on the server show as paid too.
  Outbox.all().then((records) => {
    for (const r of records) {
      if (r.kind !== "payment" || r.state === "invalid" || r.data.period_start !== list.dataset.start) continue;
      const row = list.querySelector(`[data-worker-uuid="${CSS.escape(r.data.worker_uuid)}"]`);
      if (row && !row.dataset.paid) markPaid(row, r);
    }
  });
})();
