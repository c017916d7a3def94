// The "Cetak" button of the LPJ sheets (the CSP forbids inline onclick handlers).
"use strict";
document.querySelector("[data-print]")?.addEventListener("click", () => print());
