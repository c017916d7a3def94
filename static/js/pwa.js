// The installable app around every page: service worker and its updates, the unsent-records
// badge, offline banner, install button, reference data for offline forms, and a safe sign-out.
"use strict";
(() => {
  const WARM_EVERY_MS = 10 * 60 * 1000;
  const SIGNED_OUT = "kotaku_signed_out"; // read by the server: kotaku_pwa/pwa/session.py
  const INSTALLED = "kotaku_app"; // read by the server: kotaku_pwa/web.py, INSTALLED_COOKIE
  // Other tabs of a user who signed out leave that user's pages too.
  const sessions = "BroadcastChannel" in self ? new BroadcastChannel("kotaku-session") : null;
  let reloadAsked = false;

  async function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    // A worker is active once it holds the app's files: from now on pages link to the stylesheet it
    // serves, rather than carrying it inline as a first visit's page does.
    navigator.serviceWorker.ready.then(() => {
      document.cookie = `${INSTALLED}=1; path=/; max-age=${365 * 24 * 3600}; samesite=lax`;
    });
    // Only a page an older version controls has a "new version": on a first visit nothing controls
    // the page yet, and the worker being installed is the first one, not an update.
    const offerUpdate = () => {
      if (registration.waiting && registration.active && navigator.serviceWorker.controller) {
        document.getElementById("update-banner").hidden = false;
      }
    };
    offerUpdate();
    registration.addEventListener("updatefound", () => {
      registration.installing?.addEventListener("statechange", offerUpdate);
    });
    // A new version waits until the user asks; a reload never happens under a half-filled form.
    const hadController = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      // A new version (not the first install) starts with empty page caches: warm them again.
      if (hadController) Object.keys(sessionStorage).forEach((key) => key.startsWith("kotaku-warmed") && sessionStorage.removeItem(key));
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
    if (!user) return forgetIfSignedOut();
    const kept = await Outbox.getMeta("reference");
    if (kept && kept.user.id !== user.id) await Outbox.setMeta("reference", null); // another user's
    if (!navigator.onLine) return undefined;
    const warmedKey = `kotaku-warmed-${user.id}`;
    const last = Number(sessionStorage.getItem(warmedKey) || 0);
    if (Date.now() - last < WARM_EVERY_MS) return undefined;
    try {
      const response = await fetch("/api/reference", { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return undefined;
      const reference = await response.json();
      await Outbox.setMeta("reference", reference);
      sessionStorage.setItem(warmedKey, String(Date.now()));
      const registration = await navigator.serviceWorker?.ready;
      registration?.active?.postMessage({ type: "warm", urls: reference.pages });
    } catch { /* offline: keep what the phone has */ }
    return undefined;
  }

  // Links marked data-offline (a meeting's "Ubah") are kept for offline use once their page is opened
  // online: the copy is renewed at each visit, so an edit form starts from the current version.
  async function warmLinks() {
    const urls = [...document.querySelectorAll("a[data-offline]")].map((link) => link.getAttribute("href"));
    if (!urls.length || !navigator.onLine || !Outbox.signedInUser()) return;
    const registration = await navigator.serviceWorker?.ready;
    registration?.active?.postMessage({ type: "warm", urls });
  }

  // A page for nobody: if the server too says nobody is signed in (the session ended elsewhere:
  // password change, deactivation, expiry), the last user's data leaves the phone.
  async function forgetIfSignedOut() {
    if (!navigator.onLine || !(await Outbox.getMeta("reference"))) return;
    try {
      const answer = await (await fetch("/api/csrf", { credentials: "same-origin", cache: "no-store" })).json();
      if (!answer.user) await forgetLocalData();
    } catch { /* offline: nothing is known */ }
  }

  function showBadge(unsent) {
    const badge = document.querySelector("[data-outbox-badge]");
    badge.hidden = unsent === 0;
    badge.textContent = `${unsent} data tersimpan di HP, belum terkirim`;
  }

  function showNetwork() {
    document.getElementById("net-status").hidden = navigator.onLine;
  }

  // Sign-out, also without signal: this user's pages and reference data leave the phone at once; unsent
  // records stay, for their owner only. The session cookie cannot be touched from here (HttpOnly), so
  // a mark tells the server to end the session on the phone's next request (kotaku_pwa/pwa/session.py).
  function guardLogout() {
    const form = document.querySelector("form[data-logout]");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const unsent = (await Outbox.mine()).filter((r) => Outbox.UNSENT.has(r.state)).length;
      if (unsent && !confirm(`${unsent} data belum terkirim. Data itu tetap tersimpan di HP dan dikirim `
        + "setelah Anda masuk lagi. Keluar sekarang?")) return;
      document.cookie = `${SIGNED_OUT}=1; path=/; max-age=${365 * 24 * 3600}; samesite=strict`;
      await forgetLocalData();
      sessions?.postMessage("signed-out");
      location.replace("/login"); // offline: the service worker answers with its offline page
    });
  }

  async function forgetLocalData() {
    await Outbox.setMeta("reference", null);
    for (const key of Object.keys(sessionStorage)) if (key.startsWith("kotaku-warmed")) sessionStorage.removeItem(key);
    const worker = (await navigator.serviceWorker?.getRegistration())?.active;
    if (!worker) return;
    await new Promise((resolve) => { // the worker answers once the pages are deleted
      const reply = new MessageChannel();
      reply.port1.onmessage = resolve;
      worker.postMessage({ type: "signed-out" }, [reply.port2]);
      setTimeout(resolve, 3000);
    });
  }

  // Back online, on the offline page or after a sign-out made offline: once the server answers, the page
  // itself, or the sign-in page after a sign-out (its request ends the old session). The server may be
  // asked late: navigator.onLine and the "online" event also say online on a network that reaches
  // nothing, and the outbox may reach the server first and use up the sign-out mark. An offline page
  // that comes back again (the network back for the page before the service worker) waits longer.
  const TRIES = "kotaku-back-online-tries";
  let leaving = false;
  async function leaveWhenOnline() {
    const offlinePage = Boolean(document.querySelector("[data-offline-page]"));
    const signedOut = signedOutHere() && location.pathname !== "/login";
    if (!offlinePage) sessionStorage.removeItem(TRIES);
    const tries = Number(sessionStorage.getItem(TRIES) || 0);
    if (!(offlinePage || signedOut) || !navigator.onLine || leaving || tries >= 5) return;
    leaving = true;
    await delay(tries && 1000 * 2 ** (tries - 1));
    for (let wait = 1000; wait <= 16000 && navigator.onLine; wait *= 2) {
      if (await Outbox.reachable()) {
        if (offlinePage) sessionStorage.setItem(TRIES, String(tries + 1));
        return location.replace(signedOut ? "/login" : location.href);
      }
      await delay(wait);
    }
    leaving = false;
  }

  function delay(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function signedOutHere() {
    return document.cookie.split("; ").includes(`${SIGNED_OUT}=1`);
  }

  // A page restored by the back button skips the service worker: if its user's pages have left the
  // phone since (sign-out, another user signed in), show what the phone holds now instead.
  async function leaveIfForgotten(event) {
    const user = Outbox.signedInUser();
    if (!event.persisted || !user) return;
    if (!(await caches.keys()).some((name) => name.startsWith(`pages-${user.id}-`))) location.reload();
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
  addEventListener("online", leaveWhenOnline);
  addEventListener("pageshow", leaveIfForgotten);
  if (sessions) sessions.onmessage = () => Outbox.signedInUser() && location.replace("/login");
  addEventListener("offline", showNetwork);
  showNetwork();
  guardLogout();
  offerInstall();
  leaveWhenOnline();
  registerWorker().then(refreshReference).catch(() => refreshReference()).then(warmLinks);
})();
