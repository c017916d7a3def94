// Forms marked data-outbox="<kind>" save into the phone's outbox (outbox.js) instead of posting.
// Each record gets its uuid in the browser when the form is shown, never from cached HTML.
// A page script may register its own builder for a kind: Outbox.builders[kind] = (form) => records.
"use strict";
(() => {
  const WAIT_FOR_SERVER_MS = 8000;
  Outbox.builders ||= {};

  // One record from the form's named fields; data-type="int" / "bool" on an input gives its type.
  function singleRecord(form) {
    const data = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "submit") continue;
      if (el.type === "radio") {
        if (el.checked) data[el.name] = el.value;
        else if (!(el.name in data)) data[el.name] = null;
      } else if (el.dataset.type === "bool") data[el.name] = el.checked;
      else if (el.dataset.type === "int") data[el.name] = el.value === "" ? null : Number(el.value);
      else data[el.name] = el.value.trim();
    }
    const label = `${form.dataset.label}${data.name ? `: ${data.name}` : ""}`;
    return [{ uuid: form.dataset.uuid, kind: form.dataset.outbox, data, label }];
  }

  function showStatus(form, text) {
    const box = form.querySelector("[data-form-status]");
    if (box) box.textContent = text;
  }

  function clearErrors(form) {
    form.querySelectorAll(".error[data-from-server]").forEach((el) => el.remove());
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }

  function showErrors(form, errors) {
    const unplaced = [];
    for (const [field, message] of Object.entries(errors || {})) {
      const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
      const holder = input && input.closest(".field");
      if (!holder) { unplaced.push(message); continue; }
      input.setAttribute("aria-invalid", "true");
      holder.append(Object.assign(document.createElement("small"), {
        className: "error", textContent: message, role: "alert",
      }));
      holder.lastChild.dataset.fromServer = "1";
    }
    return unplaced;
  }

  async function submit(form) {
    clearErrors(form);
    if (!form.checkValidity()) {
      form.reportValidity();
      return;
    }
    const records = (Outbox.builders[form.dataset.outbox] || singleRecord)(form);
    if (!records.length) {
      showStatus(form, "Tidak ada perubahan untuk disimpan.");
      return;
    }
    await Outbox.save(records);
    showStatus(form, "Tersimpan di HP. Mengirim…");
    const settled = await Outbox.settled(records.map((r) => r.uuid), WAIT_FOR_SERVER_MS);
    const invalid = settled.filter((r) => r.state === "invalid");
    if (invalid.length && records.length === 1) {
      // The entries are still in the form: show what to fix there, and drop the refused copy.
      const rest = showErrors(form, invalid[0].errors);
      await Outbox.discard(invalid[0].uuid);
      form.dataset.uuid = Outbox.newId();
      showStatus(form, ["Belum tersimpan di server. Periksa isian yang ditandai.", ...rest].join(" "));
      return;
    }
    showStatus(form, summary(settled));
    form.dispatchEvent(new CustomEvent("outbox:saved", { detail: { records: settled } }));
    if (!form.dataset.keep) {
      form.reset();
      form.dataset.uuid = Outbox.newId();
      delete form.dataset.dirty;
    }
  }

  function summary(records) {
    const count = (state) => records.filter((r) => r.state === state).length;
    const parts = [];
    if (count("synced")) parts.push(`${count("synced")} data terkirim ke server ✓`);
    if (count("pending") + count("sending")) {
      parts.push(`${count("pending") + count("sending")} data tersimpan di HP, dikirim otomatis saat ada sinyal`);
    }
    if (count("auth")) parts.push(`${count("auth")} data menunggu Anda masuk lagi`);
    if (count("conflict")) parts.push(`${count("conflict")} data bentrok, menunggu keputusan supervisor`);
    if (count("invalid")) parts.push(`${count("invalid")} data ditolak (lihat kotak keluar)`);
    return parts.join(". ") + ".";
  }

  for (const form of document.querySelectorAll("form[data-outbox]")) {
    form.dataset.uuid = Outbox.newId();
    form.addEventListener("input", () => { form.dataset.dirty = "1"; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.busy) return; // a double tap saves once
      form.dataset.busy = "1";
      const button = form.querySelector('[type="submit"]');
      if (button) button.disabled = true;
      try {
        await submit(form);
      } catch (error) {
        showStatus(form, `Gagal menyimpan di HP: ${error.message}`);
      } finally {
        delete form.dataset.busy;
        if (button) button.disabled = false;
      }
    });
  }
})();
