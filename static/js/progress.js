// The progress report form (templates/progress/page.html), switched on by [data-progress]:
//   - shows the previous percent; a lower one makes the notes required (the server checks it too);
//   - at a new milestone (0, 50, 100 %) asks for a photo, never requires one;
//   - a camera view (getUserMedia, where the phone allows it) with the 0 % photo as a faint overlay,
//     else the file input's preview under the same overlay, so before and after line up;
//   - when a photo is taken: its time and, if the phone allows, where it was taken.
// The photo is shrunk by photo.js (Photo.shrink, ≤ 200 KB JPEG) before it goes into the outbox.
"use strict";
(() => {
  const MILESTONES = [0, 50, 100];
  const form = document.querySelector("form[data-progress]");
  if (!form) return;
  const $ = (selector) => form.querySelector(selector);
  const percentInput = form.elements.percent;
  const photoField = form.elements.photo;
  let stream = null;

  function chosen() {
    const select = form.elements.work_item_id;
    return select ? select.selectedOptions[0] : $("[data-whole-ksm]");
  }

  function previous() {
    const value = chosen()?.dataset.previous;
    return value === "" || value === undefined ? null : Number(value);
  }

  // The same rule as physical.milestone_asked on the server.
  function milestoneAsked(before, percent) {
    const reached = MILESTONES.filter((m) => percent >= m && (before === null || before < m));
    return reached.length ? reached.at(-1) : null;
  }

  function update() {
    const before = previous();
    const percent = percentInput.value === "" ? null : Number(percentInput.value);
    $("[data-previous-note]").textContent = before === null ? "Belum ada laporan sebelumnya." : `Laporan sebelumnya: ${before} %.`;
    const lower = before !== null && percent !== null && percent < before;
    $("[data-lower-note]").hidden = !lower;
    form.elements.notes.required = lower;
    const milestone = percent === null ? null : milestoneAsked(before, percent);
    const note = $("[data-milestone-note]");
    note.hidden = milestone === null;
    note.textContent = milestone === null ? "" : `Progres ${milestone} %: ambil foto dari sudut yang sama dengan foto 0 % (boleh dilewati).`;
    for (const overlay of form.querySelectorAll("[data-overlay]")) {
      const baseline = chosen()?.dataset.baseline;
      overlay.hidden = !baseline || milestone === 0;
      if (baseline && overlay.getAttribute("src") !== baseline) overlay.src = baseline;
    }
  }

  function locate() {
    const note = $("[data-geotag-note]");
    form.elements.photo_lat.value = form.elements.photo_lon.value = "";
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.photo_lat.value = position.coords.latitude;
        form.elements.photo_lon.value = position.coords.longitude;
        note.textContent = "Lokasi foto tercatat.";
      },
      () => { note.textContent = "Lokasi tidak tersedia (tidak wajib)."; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  function photoTaken(when) {
    form.elements.photo_taken_at.value = new Date(when).toISOString();
    locate();
  }

  async function showPreview(url) {
    $("[data-preview]").src = url;
    $("[data-preview-box]").hidden = !url;
  }

  // The file input: photo.js puts the shrunk photo into the hidden field; here, time, place, preview.
  $("#progress-photo").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (!file) return;
    photoTaken(file.lastModified || Date.now());
    // photo.js fills the field asynchronously: show the preview once it has.
    const wait = setInterval(() => {
      if (!photoField.value) return;
      clearInterval(wait);
      showPreview(photoField.value);
    }, 100);
    setTimeout(() => clearInterval(wait), 20000);
  });

  // The live camera with the overlay, where the phone offers it.
  const openButton = $("[data-open-camera]");
  if (navigator.mediaDevices?.getUserMedia) openButton.hidden = false;

  async function openCamera() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      $("[data-photo-note]").textContent = "Kamera tidak dapat dibuka; pilih foto dengan tombol berkas.";
      return;
    }
    const video = $("[data-video]");
    video.srcObject = stream;
    await video.play();
    $("[data-camera]").hidden = false;
    update();
  }

  function closeCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    $("[data-camera]").hidden = true;
  }

  async function shoot() {
    const video = $("[data-video]");
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    photoField.value = await Photo.shrink(blob);
    $("[data-photo-note]").textContent = `Foto siap (${Math.round(photoField.value.length * 0.75 / 1024)} KB).`;
    photoTaken(Date.now());
    closeCamera();
    showPreview(photoField.value);
  }

  openButton.addEventListener("click", openCamera);
  $("[data-close-camera]").addEventListener("click", closeCamera);
  $("[data-shoot]").addEventListener("click", shoot);
  percentInput.addEventListener("input", update);
  form.elements.work_item_id?.addEventListener("change", update);

  // Coordinates go as numbers, not text (the server checks their range).
  Outbox.builders ||= {};
  Outbox.builders.progress = (f) => {
    const data = {};
    for (const el of f.elements) {
      if (!el.name || el.disabled) continue;
      data[el.name] = el.value.trim();
    }
    data.ksm_id = Number(data.ksm_id);
    data.percent = data.percent === "" ? null : Number(data.percent);
    if ("work_item_id" in data) data.work_item_id = Number(data.work_item_id);
    for (const name of ["photo_lat", "photo_lon"]) data[name] = data[name] === "" ? null : Number(data[name]);
    for (const name of ["photo", "photo_taken_at", "notes"]) if (data[name] === "") delete data[name];
    return [{ uuid: f.dataset.uuid, kind: "progress", data, label: f.dataset.label }];
  };
  form.addEventListener("outbox:saved", () => {
    // Hidden fields keep their value through form.reset(): the next report starts without a photo.
    for (const name of ["photo", "photo_lat", "photo_lon", "photo_taken_at"]) form.elements[name].value = "";
    $("[data-photo-note]").textContent = "";
    closeCamera();
    showPreview("");
  });
  update();
})();
