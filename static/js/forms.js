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

  // What was typed, to put back if the server refuses the record before anything new is typed.
  function snapshot(form) {
    return [...form.elements].filter((el) => el.name).map((el) => [el, el.value, el.checked]);
  }

  function restore(saved) {
    for (const [el, value, checked] of saved) {
      if (el.type === "checkbox" || el.type === "radio") el.checked = checked;
      else el.value = value;
    }
  }

  // The form is renewed (new uuid, cleared fields) the moment its record is safely in the outbox:
  // what is typed next is never touched by the reply to what was saved before.
  function renew(form) {
    form.reset();
    form.dataset.uuid = Outbox.newId();
    delete form.dataset.dirty;
    form.dispatchEvent(new CustomEvent("outbox:renewed"));
  }

  // The record(s) in the user's words: a page may register Outbox.describers[kind](form, records).
  function subject(form, records) {
    const describe = Outbox.describers?.[form.dataset.outbox];
    if (describe) return describe(form, records);
    return records.length === 1 ? records[0].data.name || records[0].label : form.dataset.label;
  }

  async function submit(form) {
    clearErrors(form);
    if (!checkFields(form)) return;
    const records = (Outbox.builders[form.dataset.outbox] || singleRecord)(form);
    // An edit form's record corrects the version the form names (corrections.js).
    if (form.dataset.replaces && records.length) records[0].replaces = form.dataset.replaces;
    if (!records.length) {
      showStatus(form, "Tidak ada perubahan untuk disimpan.");
      return;
    }
    const what = subject(form, records);
    await Outbox.save(records);
    const typed = form.dataset.keep ? null : snapshot(form);
    showStatus(form, `${what} — disimpan di HP. Mengirim…`);
    form.dispatchEvent(new CustomEvent("outbox:saved", { detail: { records } }));
    if (!form.dataset.keep) renew(form);
    form.ticket = (form.ticket || 0) + 1; // the latest save owns the status line
    follow(form, records, what, typed, form.ticket); // the reply only ever updates the status line
  }

  async function follow(form, records, what, typed, ticket) {
    const settled = await Outbox.settled(records.map((r) => r.uuid), WAIT_FOR_SERVER_MS);
    if (form.ticket !== ticket) return; // a later save owns the status line now
    const invalid = settled.filter((r) => r.state === "invalid");
    if (invalid.length && records.length === 1 && typed && !form.dataset.dirty) {
      // Refused, and nothing new typed since: the entries come back to be fixed, the copy goes.
      restore(typed);
      const rest = showErrors(form, invalid[0].errors);
      await Outbox.discard(invalid[0].uuid);
      form.dataset.uuid = Outbox.newId();
      form.dataset.dirty = "1";
      showStatus(form, [`${what} — belum tersimpan di server. Periksa isian yang ditandai.`, ...rest].join(" "));
      focusFirstInvalid(form);
      return;
    }
    const held = settled.filter((r) => r.state === "conflict");
    if (held.length && records.length === 1 && typed && !form.dataset.dirty) {
      // Held for the supervisor (a NIK already registered...): what was typed comes back, to be checked.
      restore(typed);
      form.dataset.uuid = Outbox.newId();
      form.dataset.dirty = "1";
      const why = held[0].errors?.record || "";
      showStatus(form, `${what} — bentrok, menunggu keputusan supervisor. ${why} Isian dikembalikan ke formulir untuk diperiksa.`);
      return;
    }
    showStatus(form, `${what} — ${summary(settled)}`);
    form.dispatchEvent(new CustomEvent("outbox:settled", { bubbles: true, detail: { records: settled } }));
  }

  function summary(records) {
    const count = (state) => records.filter((r) => r.state === state).length;
    // The subject already names one record, or a sheet all in one state; a sheet split across states
    // names who is in each ("Abdul tidak hadir: bentrok…"), or counts them when there are many.
    const n = (k, state) => {
      if (records.length === 1 || k === records.length) return "";
      const those = records.filter((r) => (state === "pending" ? ["pending", "sending"] : [state]).includes(r.state));
      return those.length <= 3 ? `${those.map((r) => r.label).join(", ")}: ` : `${k} catatan `;
    };
    const parts = [];
    const again = records.filter((r) => r.state === "synced" && r.again).length;
    if (count("synced") && again === count("synced") && again === records.length) parts.push("sudah tersimpan sebelumnya ✓");
    else if (count("synced")) parts.push(`${n(count("synced"), "synced")}terkirim ke server ✓`);
    const waiting = count("pending") + count("sending");
    if (waiting) parts.push(`${n(waiting, "pending")}tersimpan di HP, dikirim otomatis saat ada sinyal`);
    if (count("auth")) parts.push(`${n(count("auth"), "auth")}menunggu Anda masuk lagi`);
    if (count("conflict")) parts.push(`${n(count("conflict"), "conflict")}bentrok, menunggu keputusan supervisor`);
    if (count("invalid")) parts.push(`${n(count("invalid"), "invalid")}ditolak (lihat kotak keluar)`);
    return parts.join(". ") + ".";
  }

  // Our own Indonesian messages instead of the browser's bubbles (the forms are `novalidate`).
  function fieldProblem(el) {
    const v = el.validity;
    if (v.valueMissing) return el.type === "radio" || el.type === "checkbox" ? "Pilih salah satu." : "Wajib diisi.";
    if (v.patternMismatch) return el.dataset.patternMessage || (el.name === "nik" ? "NIK harus 16 angka." : "Format isian tidak sesuai.");
    if (v.tooShort) return `Paling sedikit ${el.minLength} karakter.`;
    if (v.rangeUnderflow) return `Tidak boleh kurang dari ${el.min}.`;
    if (v.rangeOverflow) return `Tidak boleh lebih dari ${el.max}.`;
    if (v.typeMismatch || v.badInput) return "Isian tidak valid.";
    return el.validationMessage ? "Isian tidak valid." : "";
  }

  function checkFields(form) {
    form.noValidate = true;
    const problems = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.willValidate === false || el.checkValidity()) continue;
      problems[el.name] ||= fieldProblem(el);
    }
    if (!Object.keys(problems).length) return true;
    showErrors(form, problems);
    showStatus(form, "Belum disimpan: periksa isian yang ditandai.");
    focusFirstInvalid(form);
    return false;
  }

  function focusFirstInvalid(form) {
    const first = form.querySelector('[aria-invalid="true"]');
    if (!first) return;
    first.focus({ preventScroll: true });
    first.closest(".field")?.scrollIntoView({ block: "center" });
  }

  for (const form of document.querySelectorAll("form[data-outbox]")) {
    form.noValidate = true; // our Indonesian messages (checkFields), never the browser's bubbles
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
