// An edit form: a form marked data-replaces="<version uuid>" saves a correction of that version
// (forms.js adds `replaces` to its record). Used by the meeting and health-check edit pages.
//   - It starts from the current version (the JSON in [data-current]), or from the newest correction
//     of it this phone holds that is not refused or held (a page kept offline from before a save).
//   - After a save it keeps what is shown, and the next save replaces the version just saved.
//   - Once the server has stored it, it opens data-after-save (the record's page); refused or held,
//     the next save corrects the version shown before.
// A page script fills what a plain field cannot (a meeting's attendance list) on "outbox:filled".
"use strict";
(() => {
  const USABLE = new Set(["pending", "sending", "auth", "synced"]);

  // Every named field from the record's data: lists tick their checkboxes, booleans tick one.
  function fill(form, data) {
    for (const [name, value] of Object.entries(data)) {
      // A NIK masked once its record reached the server (outbox.js) is no value: the page's stays.
      if (typeof value === "string" && value.includes("•")) continue;
      for (const el of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (el.type === "checkbox") el.checked = Array.isArray(value) ? value.includes(el.value) : Boolean(value);
        else if (el.type === "radio") el.checked = el.value === value;
        else if (el.type !== "file") el.value = value ?? "";
        if (el.tagName === "SELECT") el.dispatchEvent(new Event("change")); // options that follow it
      }
    }
    form.dispatchEvent(new CustomEvent("outbox:filled", { detail: { data } }));
  }

  // The newest version this phone made of the one the page shows: follow `replaces` through the outbox.
  async function newest(form, data) {
    const kind = form.dataset.outbox;
    const made = (await Outbox.mine()).filter((r) => r.kind === kind && r.replaces && USABLE.has(r.state));
    let version = form.dataset.replaces;
    let latest = null;
    for (let next; (next = made.find((r) => r.replaces === version));) {
      version = next.uuid;
      latest = next;
    }
    return latest ? { version, data: { ...data, ...latest.data } } : { version, data };
  }

  async function setUp(form) {
    form.dataset.keep = "1"; // forms.js keeps what is shown after a save
    const current = JSON.parse(form.querySelector("[data-current]")?.textContent || "{}");
    const start = await newest(form, current);
    const fromPhone = start.version !== form.dataset.replaces;
    form.dataset.replaces = start.version;
    fill(form, start.data);
    const note = form.querySelector("[data-from-phone]");
    if (note) note.hidden = !fromPhone;
    form.addEventListener("outbox:saved", (event) => {
      form.dataset.replaces = event.detail.records[0].uuid;
      form.dataset.uuid = Outbox.newId();
    });
    form.addEventListener("outbox:settled", (event) => {
      const [record] = event.detail.records;
      if (!record) return;
      if (record.state === "synced" && form.dataset.afterSave) location.assign(form.dataset.afterSave);
      else if (["invalid", "conflict"].includes(record.state)) form.dataset.replaces = record.replaces;
    });
  }

  for (const form of document.querySelectorAll("form[data-outbox][data-replaces]")) setUp(form);
})();
