// KOTAKU Lapangan service worker: keeps the app shell and field pages available offline.
// It never sends records: the outbox (static/js/outbox.js) does that, from the page.
//   non-GET, /api/*, htmx fragments  -> network, untouched and never cached
//   page navigations                -> network first (short timeout), then the cached page, then /offline
//   /static/*                        -> cache first
const BUILD = "{{ build }}";
const SHELL = `shell-${BUILD}`; // static files and the offline pages, precached on install
const PAGES = `pages-${BUILD}`; // field pages, cached when opened online or warmed after sign-in
const PRECACHE = {{ precache|tojson }};
const NAV_TIMEOUT_MS = 4000;
let signedOut = 0; // sign-outs seen by this worker
// A day page never opened online falls back to the same page for another day of that KSM;
// the page's script then shows the requested day (static/js/attendance.js).
const DAY_PAGE = /^(\/attendance\/\d+\/)\d{4}-\d{2}-\d{2}$/;

self.addEventListener("install", (event) => {
  // No skipWaiting here: a new version waits until the user taps "muat ulang" (never under a form).
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (!name.endsWith(BUILD)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const { type, urls } = event.data || {};
  if (type === "skip-waiting") self.skipWaiting();
  if (type === "warm") event.waitUntil(warm(urls || []));
  if (type === "forget-pages") { // on sign-out
    signedOut += 1;
    event.waitUntil(caches.delete(PAGES));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || request.headers.has("HX-Request")) return;
  if (request.mode === "navigate") event.respondWith(navigate(request, url));
  else if (url.pathname.startsWith("/static/")) event.respondWith(cacheFirst(request));
});

async function navigate(request, url) {
  const user = signedOut; // a page fetched across a sign-out is not kept for the next user
  const network = fetch(request).then(async (response) => {
    if (cacheable(response) && user === signedOut) {
      await (await caches.open(PAGES)).put(request, response.clone());
    }
    return response;
  });
  network.catch(() => undefined); // its failure is handled below, whichever answer wins the race
  const offline = async () => (await caches.match(request, { ignoreVary: true })) || anotherDay(url);
  try {
    // A slow network: after a few seconds show the cached page, if there is one; else keep waiting.
    return await Promise.race([network, delay(NAV_TIMEOUT_MS).then(offline).then((cached) => cached || network)]);
  } catch {
    return (await offline()) || caches.match("/offline");
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

async function warm(urls) {
  const user = signedOut;
  const cache = await caches.open(PAGES);
  for (const url of urls) {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (cacheable(response) && user === signedOut) await cache.put(url, response);
    } catch { /* offline now: the next page load warms again */ }
  }
}

async function anotherDay(url) {
  const match = DAY_PAGE.exec(url.pathname);
  if (!match) return undefined;
  const cache = await caches.open(PAGES);
  const keys = await cache.keys();
  const sibling = keys.find((key) => new URL(key.url).pathname.startsWith(match[1]));
  return sibling && cache.match(sibling, { ignoreVary: true });
}

function cacheable(response) {
  // Redirects (to the login page) and pages marked no-store (login, admin) are never kept.
  return response.ok && !response.redirected
    && !(response.headers.get("Cache-Control") || "").includes("no-store");
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
