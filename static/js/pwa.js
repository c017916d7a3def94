// The installable app around every page: service worker and its updates, the unsent-records
// badge, offline banner, install button, reference data for offline forms, and a safe sign-out.
"use strict";
(() => {
  const WARM_EVERY_MS = 10 * 60 * 1000;
  let reloadAsked = false;

  async function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const offerUpdate = () => { if (registration.waiting) document.getElementById("update-banner").hidden = false; };
    offerUpdate();
    registration.addEventListener("updatefound", () => {
      registration.installing?.addEventListener("statechange", offerUpdate);
    });
    // A new version waits until the user asks; a reload never happens under a half-filled form.
    const hadController = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      // A new version (not the first install) starts with empty page caches: warm them again.
      if (hadController) sessionStorage.removeItem("kotaku-warmed");
      if (reloadAsked) location.reload();
    });
    document.querySelector("[data-update-reload]").addEventListener("click", () => {
      const dirty = document.querySelector("form[data-dirty]");
      if (dirty && !confirm("Formulir ini belum disimpan. Muat ulang sekarang akan menghapus isiannya. Lanjutkan?")) return;
      reloadAsked = true;
      // No waiting version: another tab has switched to it already, and only this page is old.
      if (registration.waiting) registration.waiting.postMessage({ type: "skip-waiting" });
      else location.reload();
    });
  }

  // The user's reference data (KSMs, workers, rates) for offline forms, and their pages warmed.
  async function refreshReference() {
    const user = Outbox.signedInUser();
    if (!user || !navigator.onLine) return;
    const last = Number(sessionStorage.getItem("kotaku-warmed") || 0);
    if (Date.now() - last < WARM_EVERY_MS) return;
    try {
      const response = await fetch("/api/reference", { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return;
      const reference = await response.json();
      await Outbox.setMeta("reference", reference);
      sessionStorage.setItem("kotaku-warmed", String(Date.now()));
      const registration = await navigator.serviceWorker?.ready;
      registration?.active?.postMessage({ type: "warm", urls: reference.pages });
    } catch { /* offline: keep what the phone has */ }
  }

  function showBadge(unsent) {
    const badge = document.querySelector("[data-outbox-badge]");
    badge.hidden = unsent === 0;
    badge.textContent = `${unsent} data tersimpan di HP, belum terkirim`;
  }

  function showNetwork() {
    document.getElementById("net-status").hidden = navigator.onLine;
  }

  // Sign-out keeps unsent records on the phone; it forgets this user's cached pages and reference.
  function guardLogout() {
    const form = document.querySelector("form[data-logout]");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const unsent = (await Outbox.all()).filter((r) => Outbox.UNSENT.has(r.state)).length;
      if (unsent && !confirm(`${unsent} data belum terkirim. Data itu tetap tersimpan di HP dan dikirim `
        + "setelah Anda masuk lagi. Keluar sekarang?")) return;
      try {
        const fresh = await (await fetch("/api/csrf", { cache: "no-store" })).json();
        form.querySelector('[name="csrf_token"]').value = fresh.csrf_token;
      } catch { /* offline: the page's token is tried */ }
      await Outbox.setMeta("reference", null);
      sessionStorage.removeItem("kotaku-warmed");
      (await navigator.serviceWorker?.getRegistration())?.active?.postMessage({ type: "forget-pages" });
      form.submit();
    });
  }

  function offerInstall() {
    const button = document.querySelector("[data-install]");
    addEventListener("beforeinstallprompt", (event) => {
      event.preventDefault();
      if (!button) return;
      button.hidden = false;
      button.onclick = async () => { button.hidden = true; await event.prompt(); };
    });
  }

  document.addEventListener("outbox:changed", (event) => showBadge(event.detail.unsent));
  addEventListener("online", showNetwork);
  addEventListener("offline", showNetwork);
  showNetwork();
  guardLogout();
  offerInstall();
  registerWorker().then(refreshReference).catch(() => refreshReference());
})();
