// The worker page (templates/workers/show.html). The page shows the server's worker; this script adds
// what the phone holds beside it — corrections not sent yet, held for a supervisor, decided — and keeps
// the correction forms (saved by forms.js) naming the version they correct (`replaces`): the server's
// current version, or the newest one saved on this phone after it, so no correction replaces a
// version already corrected here.
"use strict";
(() => {
  const page = document.querySelector("[data-worker-page]");
  if (!page) return;
  const forms = [...page.querySelectorAll('form[data-outbox="worker"]')];
  // Is, or will be, the worker's current version on the server (a held correction the supervisor
  // accepted is: engine.keep_correction).
  const LIVE = new Set(["pending", "sending", "auth", "synced"]);
  const live = (r) => LIVE.has(r.state) || r.outcome?.status === "kept_incoming";
  const longDate = (iso) => new Intl.DateTimeFormat("id-ID", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(`${iso}T00:00:00Z`));

  // This worker's corrections on the phone, in the order saved: each replaces a version the page
  // knows (its history) or an earlier one of them. Once the page shows a version, it is no news.
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

  // The version the next correction replaces, and the phone's record of it (none: the server's).
  function latest(found) {
    let version = page.dataset.version;
    let record = null;
    for (const r of found) {
      if (r.replaces === version && live(r)) [version, record] = [r.uuid, r];
    }
    return { version, record };
  }

  // Every form shows the worker's values of `data` and returns to them on reset (forms.js renews a
  // form after a save); a form's own inputs (data-own: the status it sets) keep theirs. A NIK masked
  // once its record was sent (outbox.js) stays as the page has it.
  function fill(data) {
    for (const el of forms.flatMap((form) => [...form.elements])) {
      if (!el.name || "own" in el.dataset || !(el.name in data)) continue;
      const value = data[el.name];
      if (el.type === "checkbox") el.checked = el.defaultChecked = Boolean(value);
      else if (el.type === "radio") el.checked = el.defaultChecked = el.value === value;
      else if (el.tagName === "SELECT") {
        for (const option of el.options) option.selected = option.defaultSelected = option.value === String(value);
      } else if (!String(value ?? "").includes("•")) el.value = el.defaultValue = value ?? "";
    }
  }

  function note(r) {
    if (r.state === "conflict") return r.outcome?.status && r.outcome.status !== "open" ? r.message
      : `menunggu keputusan supervisor. ${r.errors?.record || ""}`;
    if (r.state === "invalid") return `ditolak server: ${Object.values(r.errors || {}).join(" ")} (lihat kotak keluar)`;
    if (r.state === "synced") return "terkirim ke server.";
    if (r.state === "auth") return "tersimpan di HP, belum terkirim: masuk lagi untuk mengirimnya.";
    return "tersimpan di HP, belum terkirim.";
  }

  // The phone's corrections in words; a correction now on the server asks for a reload to show it.
  function show(found) {
    const notes = page.querySelector("[data-phone-notes]");
    notes.replaceChildren(...found.map((r) => {
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

  function follow(records) {
    const found = corrections(records);
    const { version } = latest(found);
    for (const form of forms) form.dataset.replaces = version;
    show(found);
  }

  for (const form of forms) {
    // The next save replaces the version just saved, with its values in every form.
    form.addEventListener("outbox:saved", (event) => {
      const [record] = event.detail.records;
      fill(record.data);
      for (const other of forms) other.dataset.replaces = record.uuid;
    });
    // Online, the server's page shows the correction at once (forms.js: "settled" follows the reply).
    form.addEventListener("outbox:settled", (event) => {
      if (event.detail.records.every((r) => r.state === "synced")) location.reload();
    });
  }

  // Asked once more before (de)activating; forms.js names what is missing when the form is incomplete.
  const status = page.querySelector("form[data-worker-status-form]");
  status?.querySelector('[type="submit"]').addEventListener("click", (event) => {
    if (!status.checkValidity()) return;
    const name = status.elements.namedItem("name").value;
    const since = status.elements.namedItem("inactive_from")?.value;
    const question = since ? `Nonaktifkan ${name} mulai ${longDate(since)}?` : `Aktifkan kembali ${name}?`;
    if (!confirm(question)) event.preventDefault();
  });

  page.querySelector("[data-reload]").addEventListener("click", () => location.reload());
  document.addEventListener("outbox:changed", (event) => follow(event.detail.records));
  // Opened again before the phone's corrections reached the server: the forms start from the newest.
  Outbox.mine().then((records) => {
    const { record } = latest(corrections(records));
    if (record) fill(record.data);
    follow(records);
  });
})();
