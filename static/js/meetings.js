// Meetings and health-protocol checks on the facilitator's phone (templates/meetings/*.html).
// Each behaviour is switched on by a data- attribute:
//   [data-attendees]       the attendance list: add a row, repeat the last role, remove a row, counts by gender
//   [data-shown-for]       shown (and sent) only for these meeting types: topics, MP2K outcomes, TIPP role
//   [data-reveals]         a checkbox that shows a part of the form: the meeting's health-protocol check
//   [data-follows]         KSM options of the kelurahan chosen;  [data-set-by]: the programme it runs
//   [data-today]           a date that starts on the phone's today and cannot lie after it
//   [data-geotag]          where a photo was taken, read when it is taken (never required, silent if refused)
//   [data-at-most-people]  masks and fever cases cannot exceed the people present
//   [data-fever]           the fever rule, shown as soon as a fever case is entered
// Outbox.builders.meeting turns the form into records: the meeting, then (when ticked) its health check.
// Both uuids are made here when the form is shown (forms.js makes the meeting's), never by the server.
"use strict";
(() => {
  const localDay = () => new Date(Date.now() - new Date().getTimezoneOffset() * 6e4).toISOString().slice(0, 10);

  function toggle(element, on) {
    element.hidden = !on;
    if ("disabled" in element) element.disabled = !on; // hidden parts are neither validated nor sent
  }

  // --- the attendance list -------------------------------------------------------------------------

  function attendeeRows(form) {
    return [...form.querySelectorAll("[data-attendee-list] > li")];
  }

  function addRow(form, role) {
    const list = form.querySelector("[data-attendee-list]");
    const row = form.querySelector("[data-attendee-template]").content.firstElementChild.cloneNode(true);
    if (role) row.querySelector('[data-a="role"]').value = role;
    list.append(row);
    showForType(form);
    countGenders(form);
    return row;
  }

  function lastRole(form) {
    const rows = attendeeRows(form);
    return rows.length ? rows.at(-1).querySelector('[data-a="role"]').value : "";
  }

  function countGenders(form) {
    const genders = attendeeRows(form).map((row) => row.querySelector('[data-a="gender"]').value);
    const men = genders.filter((g) => g === "L").length;
    const women = genders.filter((g) => g === "P").length;
    form.querySelector("[data-gender-counts]").textContent =
      `${genders.length} peserta · ${men} laki-laki · ${women} perempuan`;
    limitToPeople(form);
  }

  function setUpAttendees(form) {
    const box = form.querySelector("[data-attendees]");
    if (!box) return;
    const list = box.querySelector("[data-attendee-list]");
    box.querySelector("[data-add-row]").addEventListener("click", () => {
      addRow(form).querySelector('[data-a="name"]').focus();
    });
    box.querySelector("[data-repeat-role]").addEventListener("click", () => {
      addRow(form, lastRole(form)).querySelector('[data-a="name"]').focus();
    });
    list.addEventListener("click", (event) => {
      if (!event.target.closest("[data-remove-row]")) return;
      event.target.closest("li").remove();
      countGenders(form);
    });
    list.addEventListener("change", (event) => {
      // A TIPP position belongs to a member of TIPP.
      if (event.target.dataset.a === "tipp_role" && event.target.value) {
        event.target.closest("li").querySelector('[data-a="role"]').value = "tipp";
      }
      countGenders(form);
    });
    // Enter in a name goes on to a new line with the same role, instead of saving the form.
    list.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.target.dataset.a !== "name") return;
      event.preventDefault();
      const row = event.target.closest("li");
      addRow(form, row.querySelector('[data-a="role"]').value).querySelector('[data-a="name"]').focus();
    });
    addRow(form);
  }

  // An edit form's attendance list, from the version it corrects (corrections.js "outbox:filled").
  function fillAttendees(form, people) {
    for (const row of attendeeRows(form)) row.remove();
    for (const person of people) {
      const row = addRow(form, person.role);
      for (const name of ["name", "gender", "tipp_role"]) row.querySelector(`[data-a="${name}"]`).value = person[name] || "";
    }
    if (!people.length) addRow(form);
    countGenders(form);
  }

  function attendees(form) {
    const tipp = form.elements.type.value === "tipp";
    return attendeeRows(form).map((row) => {
      const field = (name) => row.querySelector(`[data-a="${name}"]`).value.trim();
      const person = { name: field("name"), gender: field("gender"), role: field("role") };
      if (tipp && field("tipp_role")) person.tipp_role = field("tipp_role");
      return person;
    });
  }

  // --- parts shown for some meeting types, or when ticked ------------------------------------------

  function showForType(form) {
    const type = form.elements.type?.value;
    if (!type) return;
    for (const element of form.querySelectorAll("[data-shown-for]")) {
      toggle(element, element.dataset.shownFor.split(" ").includes(type));
    }
  }

  function setUpReveals(form) {
    for (const box of form.querySelectorAll("input[type=checkbox][data-reveals]")) {
      const target = form.querySelector(box.dataset.reveals);
      const apply = () => toggle(target, box.checked);
      box.addEventListener("change", apply);
      apply();
    }
  }

  // --- the kelurahan chosen: its KSMs and its programme -------------------------------------------

  function setUpKelurahan(form) {
    for (const select of form.querySelectorAll("select[data-follows]")) {
      const leader = form.elements[select.dataset.follows];
      const follow = () => {
        for (const option of select.options) {
          if (option.dataset.kelurahan) toggle(option, option.dataset.kelurahan === leader.value);
        }
        if (select.selectedOptions[0]?.disabled) select.value = "";
      };
      leader.addEventListener("change", follow);
      follow();
    }
    for (const select of form.querySelectorAll("select[data-set-by]")) {
      const leader = form.elements[select.dataset.setBy];
      leader.addEventListener("change", () => {
        const value = leader.selectedOptions[0]?.dataset[select.name];
        if (value) select.value = value;
      });
    }
  }

  // --- dates, photo location, head counts, fever ----------------------------------------------------

  function setToday(form) {
    for (const input of form.querySelectorAll("input[data-today]")) {
      input.max = localDay();
      if (!input.value) input.value = localDay();
    }
  }

  function setUpGeotag(form) {
    for (const input of form.querySelectorAll("input[type=file][data-geotag]")) {
      const note = input.closest(".field").querySelector("[data-geotag-note]");
      input.addEventListener("change", () => {
        const fields = form.elements;
        for (const name of ["photo_lat", "photo_lon", "photo_accuracy"]) fields[name].value = "";
        note.textContent = "";
        if (!input.files[0] || !navigator.geolocation) return;
        navigator.geolocation.getCurrentPosition((position) => {
          const { latitude, longitude, accuracy } = position.coords;
          fields.photo_lat.value = latitude;
          fields.photo_lon.value = longitude;
          fields.photo_accuracy.value = accuracy;
          note.textContent = `Lokasi foto tercatat (± ${Math.round(accuracy)} m).`;
        }, () => { /* refused or unavailable: the photo is kept without a place */ },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  function peoplePresent(form) {
    const typed = form.querySelector("[data-people]")?.value;
    if (typed) return Number(typed);
    return form.querySelector("[data-attendees]") ? attendeeRows(form).length : null;
  }

  function limitToPeople(form) {
    const people = peoplePresent(form);
    for (const input of form.querySelectorAll("[data-at-most-people]")) {
      if (people === null) input.removeAttribute("max");
      else input.max = people;
    }
  }

  function setUpFever(form) {
    for (const input of form.querySelectorAll("input[data-fever]")) {
      const note = input.closest(".field").querySelector("[data-fever-note]");
      const show = () => { note.hidden = !(Number(input.value) > 0); };
      input.addEventListener("input", show);
      show();
    }
  }

  // --- the records ----------------------------------------------------------------------------------

  Outbox.builders ||= {};
  Outbox.builders.meeting = (form) => {
    const fields = form.elements;
    const text = (name) => fields[name].value.trim();
    const number = (name) => (text(name) === "" ? null : Number(text(name)));
    const ticked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked:enabled`)].map((el) => el.value);
    const people = attendees(form);
    const data = {
      kelurahan_id: number("kelurahan_id"), ksm_id: number("ksm_id"), type: text("type"),
      programme: text("programme"), held_on: text("held_on"), place: text("place"), team: text("team"),
      notes: text("notes"), topics: ticked("topics"), outcomes: ticked("outcomes"), attendees: people,
      photo: text("photo") || null, photo_lat: number("photo_lat"), photo_lon: number("photo_lon"),
      photo_accuracy: number("photo_accuracy"),
    };
    const label = `${fields.type.selectedOptions[0].textContent}, ${data.held_on}, ${people.length} peserta`;
    const what = form.dataset.replaces ? "Perubahan pertemuan" : "Pertemuan"; // an edit form (corrections.js)
    const meeting = { uuid: form.dataset.uuid, kind: "meeting", data, label: `${what}: ${label}` };
    if (!fields.with_health?.checked) return [meeting]; // an edit form corrects the meeting only
    const check = {
      kelurahan_id: data.kelurahan_id, ksm_id: data.ksm_id, meeting_uuid: meeting.uuid,
      checked_on: data.held_on, setting: "meeting", people_present: peoplePresent(form),
      masks_worn: number("masks_worn"), distancing: fields.distancing.checked,
      handwash_soap: fields.handwash_soap.checked, temperature_checked: fields.temperature_checked.checked,
      fever_cases: number("fever_cases") ?? 0, notes: text("health_notes"),
    };
    return [meeting, {
      uuid: form.dataset.healthUuid, kind: "health_check", data: check, label: `Protokol kesehatan: ${label}`,
    }];
  };

  // The meeting's own health check gets its uuid here; forms.js gives the form's main record its own.
  function newHealthUuid(form) {
    if (form.elements.with_health) form.dataset.healthUuid = Outbox.newId();
  }

  for (const form of document.querySelectorAll("form[data-outbox=meeting], form[data-outbox=health_check]")) {
    newHealthUuid(form);
    setUpAttendees(form);
    setUpReveals(form);
    setUpKelurahan(form);
    setUpGeotag(form);
    setUpFever(form);
    setToday(form);
    showForType(form);
    limitToPeople(form);
    form.elements.type?.addEventListener("change", () => showForType(form));
    form.addEventListener("outbox:filled", (event) => {
      if (Array.isArray(event.detail.data.attendees)) fillAttendees(form, event.detail.data.attendees);
      showForType(form);
      limitToPeople(form);
      for (const input of form.querySelectorAll("input[data-fever]")) input.dispatchEvent(new Event("input"));
    });
    form.addEventListener("input", (event) => { if (event.target.matches("[data-people]")) limitToPeople(form); });
    // After a save forms.js resets the form: start the next one clean, with a new health-check uuid.
    form.addEventListener("reset", () => setTimeout(() => {
      for (const row of attendeeRows(form)) row.remove();
      if (form.querySelector("[data-attendees]")) addRow(form);
      newHealthUuid(form);
      for (const box of form.querySelectorAll("input[data-reveals]")) box.dispatchEvent(new Event("change"));
      for (const input of form.querySelectorAll("input[data-fever]")) input.dispatchEvent(new Event("input"));
      setToday(form);
      showForType(form);
      limitToPeople(form);
    }));
  }
})();
