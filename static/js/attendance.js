// The attendance day page: "semua hadir", the HOK count, workers registered on this phone, the day
// the URL asks for when the service worker served this KSM's page of another day offline, and the
// phone's own records laid over the server's ticks (docs/offline.md, "Corrections on the day page").
"use strict";
(() => {
  const nav = document.querySelector("[data-attendance-day]");
  if (!nav) return;
  const DAYS = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
  const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
    "September", "Oktober", "November", "Desember"];
  const ksmId = Number(nav.dataset.ksmId);
  const form = document.querySelector('form[data-outbox="attendance"]');
  const list = document.querySelector("[data-worker-list]");
  const urlDay = location.pathname.split("/").pop();
  const renderedDay = nav.dataset.date;
  // Workers deactivated before the rendered day: phone data (a stale reference, a registration made
  // here) must not bring them back onto its list.
  const offList = new Set((list?.dataset.offList || "").split(" "));

  const boxes = () => [...document.querySelectorAll('input[name="present"]')];
  const isoDay = (d) => d.toISOString().slice(0, 10);
  const longDate = (iso) => {
    const d = new Date(`${iso}T00:00:00Z`);
    return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  };
  const shift = (iso, days) => isoDay(new Date(Date.parse(`${iso}T00:00:00Z`) + days * 864e5));

  function count() {
    const hok = boxes().filter((b) => b.checked).length;
    document.querySelector("[data-hok-count]").textContent = hok;
    document.querySelector("[data-worker-count]").textContent = boxes().length;
    document.querySelector("[data-no-workers]").hidden = boxes().length > 0;
    // No worker yet: nothing to tick or save (the list may still fill from the phone's registrations).
    for (const el of form.querySelectorAll(".summary, .actions")) el.hidden = boxes().length === 0;
    const all = document.querySelector("[data-all-present]");
    all.checked = boxes().length > 0 && hok === boxes().length;
  }

  function freshIds() {
    for (const box of boxes()) box.dataset.uuid = Outbox.newId();
  }

  function addWorker(uuid, name, category, note) {
    if (boxes().some((b) => b.value === uuid)) return;
    if (nav.dataset.date === renderedDay && offList.has(uuid)) return;
    const item = document.createElement("li");
    item.innerHTML = '<label><input type="checkbox" name="present"> <span></span> <span class="tag"></span> '
      + '<span class="tag warn"></span></label>';
    const [box, nameEl, categoryEl, noteEl] = item.querySelectorAll("input, span");
    Object.assign(box, { value: uuid });
    Object.assign(box.dataset, { recorded: "", version: "", serverRecorded: "", serverVersion: "" });
    box.dataset.uuid = Outbox.newId();
    nameEl.textContent = name;
    categoryEl.textContent = JSON.parse(list.dataset.categoryLabels)[category] || category;
    noteEl.textContent = note;
    list.append(item);
  }

  // A deactivated worker leaves the list from that day on (workers/worker.py: worker_on_list).
  const onList = (w, day) => w.active !== false || !w.inactive_from || day < w.inactive_from;

  // Not on this day's list, unless the day is recorded for them.
  function dropWorker(uuid) {
    const box = boxes().find((b) => b.value === uuid);
    if (box && !box.dataset.recorded) box.closest("li").remove();
  }

  // Offline, the service worker may have served this KSM's page of another day: show the asked day.
  function showAskedDay() {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(urlDay) || urlDay === nav.dataset.date) return;
    nav.dataset.date = urlDay;
    document.querySelector("[data-day-label]").textContent = longDate(urlDay);
    document.querySelector("[data-day-picker]").value = urlDay;
    for (const step of document.querySelectorAll("[data-day-step]")) {
      const target = shift(urlDay, Number(step.dataset.dayStep));
      const inside = target >= nav.dataset.start && target <= nav.dataset.end;
      if (inside) step.href = `/attendance/${ksmId}/${target}`;
      else step.removeAttribute("href");
      step.toggleAttribute("aria-disabled", !inside);
      if (!inside) step.setAttribute("aria-disabled", "true");
    }
    document.querySelector("[data-day-offline]").hidden = false;
    nav.dataset.serverUnknown = "1"; // what the server holds for this day is not on the page
    for (const box of boxes()) {
      box.checked = false;
      Object.assign(box.dataset, { recorded: "", version: "" });
      box.closest("label").querySelector(".tag.ok")?.remove();
    }
    const problem = dayProblem(urlDay);
    const problemBox = document.querySelector("[data-day-problem]");
    problemBox.textContent = problem || "";
    problemBox.hidden = !problem;
    if (form) form.hidden = Boolean(problem);
  }

  function dayProblem(iso) {
    if (iso > isoDay(new Date(Date.now() - new Date().getTimezoneOffset() * 6e4))) {
      return "Tanggal tidak boleh di masa depan.";
    }
    if (iso < nav.dataset.start || iso > nav.dataset.end) return "Tanggal di luar masa kegiatan KSM.";
    return "";
  }

  // Workers registered on this phone (or known from reference data), then the day's records.
  async function applyPhoneData() {
    if (!form) return;
    const reference = await Outbox.getMeta("reference");
    for (const w of (reference && reference.workers) || []) {
      if (w.ksm_id !== ksmId) continue;
      if (onList(w, nav.dataset.date)) addWorker(w.uuid, w.name, w.category, "");
      else if (nav.dataset.date !== renderedDay) dropWorker(w.uuid); // offline, another day's page
    }
    for (const r of await Outbox.all()) {
      // A worker's correction (`replaces`) is no new worker.
      if (r.kind === "worker" && !r.replaces && r.data.ksm_id === ksmId && r.state !== "invalid") {
        addWorker(r.uuid, r.data.name, r.data.category, r.state === "synced" ? "baru" : "di HP");
      }
    }
    showRecords(await Outbox.mine());
    form.dataset.phoneData = "shown"; // what the phone knows is on the page (the browser tests wait for it)
  }

  // The server's tick and version of each box, as the page came: the phone's records are laid over it.
  function rememberServer() {
    for (const box of boxes()) {
      box.dataset.serverRecorded = box.dataset.recorded;
      box.dataset.serverVersion = box.dataset.version || "";
    }
  }

  const WAITING = new Set(["pending", "sending", "auth"]);
  const tickWord = (r) => (r.data.present ? "hadir" : "tidak hadir");

  // Each box as the server holds it, with this user's records of the day laid over it, oldest first:
  // - not sent yet: its tick, tagged "di HP" (a further change replaces it);
  // - stored (or accepted by the supervisor): its tick, when it follows the version the page shows
  //   (a page kept from before it was sent); a page that already shows it, or a later version, wins;
  // - held for a supervisor: the server's tick stays, "menunggu keputusan supervisor", then the decision
  //   and the reason. A held correction is never shown as applied.
  // A box the user has changed and not saved keeps its tick.
  function showRecords(records) {
    if (!form) return;
    const unknown = Boolean(nav.dataset.serverUnknown);
    const shown = new Map(boxes().map((b) => [b.value, {
      recorded: b.dataset.serverRecorded, version: b.dataset.serverVersion, note: null,
    }]));
    for (const r of records) {
      const day = shown.get(r.data?.worker_uuid);
      if (r.kind !== "attendance" || r.data.ksm_id !== ksmId || r.data.work_date !== nav.dataset.date || !day) continue;
      const tick = r.data.present ? "present" : "absent";
      const accepted = r.state === "synced" || (r.state === "conflict" && r.outcome?.status === "kept_incoming");
      if (WAITING.has(r.state)) Object.assign(day, { recorded: tick, version: r.uuid, note: ["di HP", "warn"] });
      else if (accepted) {
        if (unknown || (r.replaces || "") === day.version) Object.assign(day, { recorded: tick, version: r.uuid });
        day.note = r.state === "conflict" ? [decided(r), "ok"] : null;
      } else if (r.state === "conflict") day.note = [decided(r), "bad"];
    }
    for (const box of boxes()) {
      const day = shown.get(box.value);
      const unsaved = box.checked !== (box.dataset.recorded === "present");
      if (!unsaved) box.checked = day.recorded === "present";
      Object.assign(box.dataset, { recorded: day.recorded, version: day.version });
      note(box, day.note || []);
    }
    count();
  }

  // A held record in words: waiting, then the supervisor's decision and reason (outbox.js learnOutcomes).
  function decided(r) {
    const what = r.replaces ? `Koreksi ke ${tickWord(r)}` : `Catatan ${tickWord(r)}`;
    const outcome = r.outcome || {};
    const when = outcome.decided_at_text ? ` (${outcome.decided_at_text})` : "";
    const why = outcome.reason ? ` Alasan: ${outcome.reason}` : "";
    if (outcome.status === "kept_incoming") return `${what} diterima supervisor${when}.${why}`;
    if (outcome.status === "kept_existing") return `${what} ditolak supervisor${when}: tetap seperti tersimpan.${why}`;
    // The server's reason, without its own "Bentrok: … Menunggu keputusan supervisor." (sync/engine.py).
    const server = (r.errors?.record || "").replace(/^Bentrok: /, "").replace(/ Menunggu keputusan supervisor\.$/, "");
    const held = server ? ` ${server}` : "";
    return `${what} menunggu keputusan supervisor.${held}`;
  }

  // The phone's word beside a worker: "di HP" (a tag), or a held correction and its outcome (a line).
  function note(box, [text, tone] = []) {
    const item = box.closest("li");
    item.querySelector("[data-phone-note]")?.remove();
    if (!text) return;
    const short = tone === "warn";
    const element = Object.assign(document.createElement(short ? "span" : "p"), {
      className: short ? "tag warn" : `phone-note ${tone}`, textContent: text,
    });
    element.dataset.phoneNote = "";
    if (short) box.closest("label").append(element);
    else item.append(element);
  }

  // The sheet in the user's words, for the date actually shown (offline: the day asked for).
  const sheetLabel = () => {
    const present = boxes().filter((b) => b.checked).length;
    const day = longDate(nav.dataset.date).replace(",", ""); // "Selasa 4 Mei 2021"
    return `Kehadiran ${nav.dataset.ksmName}, ${day}: ${present} hadir dari ${boxes().length}`;
  };
  Outbox.describers ||= {};
  Outbox.describers.attendance = () => sheetLabel();

  // Only workers whose day is not recorded yet, or whose tick changed (a correction) are sent; the
  // records of one save share a sheet id, so the outbox shows them as one card.
  Outbox.builders.attendance = () => {
    const sheet = Outbox.newId();
    const label = sheetLabel();
    return boxes()
      .filter((box) => box.dataset.recorded !== (box.checked ? "present" : "absent"))
      .map((box) => ({
        uuid: box.dataset.uuid,
        kind: "attendance",
        // A day already recorded is corrected: the record names the version the page shows.
        ...(box.dataset.version ? { replaces: box.dataset.version } : {}),
        label: `${box.closest("label").querySelector("span").textContent} ${box.checked ? "hadir" : "tidak hadir"}`,
        sheet,
        sheet_label: label,
        data: { ksm_id: ksmId, worker_uuid: box.value, work_date: nav.dataset.date, present: box.checked },
      }));
  };

  showAskedDay();
  rememberServer();
  freshIds();
  applyPhoneData();
  if (form) {
    form.dataset.keep = "1";
    form.addEventListener("change", count);
    // A saved tick is the version a further change of that box replaces.
    form.addEventListener("outbox:saved", (event) => {
      const saved = new Map(event.detail.records.map((r) => [r.data.worker_uuid, r.uuid]));
      for (const box of boxes()) {
        if (!saved.has(box.value)) continue;
        box.dataset.recorded = box.checked ? "present" : "absent";
        box.dataset.version = saved.get(box.value);
        box.dataset.uuid = Outbox.newId();
      }
    });
    document.addEventListener("outbox:changed", (event) => showRecords(event.detail.records));
  }
  document.querySelector("[data-all-present]")?.addEventListener("change", (event) => {
    for (const box of boxes()) box.checked = event.target.checked;
    count();
  });
  // "Buka" opens the chosen day's own URL, which the service worker can serve offline (the plain
  // form's /go redirect cannot be answered without the server).
  const openChosen = (event) => {
    const value = document.querySelector("[data-day-picker]").value;
    if (event.type === "submit") event.preventDefault();
    if (value && value !== nav.dataset.date) location.href = `/attendance/${ksmId}/${value}`;
  };
  document.querySelector("[data-day-picker]").addEventListener("change", openChosen);
  document.querySelector("[data-day-form]")?.addEventListener("submit", openChosen);
})();
