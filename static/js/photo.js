// Photos taken on the phone are shrunk before saving: a receipt or thumbprinted list stays
// readable at 1280 px, and a record with its photo stays under the server's 200 KB limit.
"use strict";
(() => {
  const MAX_BYTES = 200 * 1024;
  const MAX_SIDE = 1280;

  async function shrink(file) {
    const bitmap = await createImageBitmap(file);
    let scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    for (let quality = 0.8; ; quality -= 0.15) {
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const url = canvas.toDataURL("image/jpeg", Math.max(quality, 0.3));
      if (url.length * 0.75 <= MAX_BYTES) return url;
      if (quality < 0.4) scale *= 0.7;
    }
  }

  // <input type="file" data-photo-into="field">: the shrunk photo goes into the form's hidden field.
  for (const input of document.querySelectorAll("input[type=file][data-photo-into]")) {
    input.addEventListener("change", async () => {
      const target = input.form.elements[input.dataset.photoInto];
      const note = input.closest(".field").querySelector("[data-photo-note]");
      target.value = input.files[0] ? await shrink(input.files[0]) : "";
      if (note) note.textContent = target.value ? `Foto siap (${Math.round(target.value.length * 0.75 / 1024)} KB).` : "";
    });
  }

  self.Photo = { shrink, MAX_BYTES };
})();
