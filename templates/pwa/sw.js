// KOTAKU Lapangan service worker: keeps the app shell and field pages available offline.
// It never sends records: the outbox (static/js/outbox.js) does that, from the page.
//   non-GET, /api/*, htmx fragments  -> network, untouched and never cached
//   page navigations                -> network first (short timeout), then the user's cached page, then /offline
//   /static/*                        -> cache first
// A shared phone: pages are kept per user, and only for the user signed in now. Every page from the
// server names its user (header Kotaku-User: an id, or "none"); a page for another user, or for nobody
// (the sign-in page), deletes the pages kept so far. Sign-out on the phone deletes them too.
const BUILD = "{{ build }}";
const SHELL = `shell-${BUILD}`; // static files and the offline pages, precached on install, for nobody
const PAGES = "pages-"; // field pages of one user, cached when opened online or warmed after sign-in
const pagesName = (user) => `${PAGES}${user}-${BUILD}`;
const PRECACHE = {{ precache|tojson }};
const NAV_TIMEOUT_MS = 4000;
let signedOut = 0; // sign-outs seen by this worker: a page fetched across one is not kept
// A day page never opened online falls back to the same page for another day of that KSM;
// the page's script then shows the requested day (static/js/attendance.js).
const DAY_PAGE = /^(\/attendance\/\d+\/)\d{4}-\d{2}-\d{2}$/;

self.addEventListener("install", (event) => {
  // No skipWaiting here: a new version waits until the user taps "muat ulang" (never under a form).
  // Without cookies: the shell pages are nobody's, so they may be shown to anybody.
  const requests = PRECACHE.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(requests)));
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
  if (type === "signed-out") { // the page waits for the answer before it moves on
    signedOut += 1;
    event.waitUntil(keepPagesOf(null).then(() => event.ports[0]?.postMessage("done")));
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
  const before = signedOut;
  const network = fetch(request).then(async (response) => {
    await keep(request, response, before);
    return response;
  });
  network.catch(() => undefined); // its failure is handled below, whichever answer wins the race
  const offline = () => cachedPage(request, url);
  try {
    // A slow network: after a few seconds show the cached page, if there is one; else keep waiting.
    return await Promise.race([network, delay(NAV_TIMEOUT_MS).then(offline).then((cached) => cached || network)]);
  } catch {
    return (await offline()) || (await caches.open(SHELL)).match("/offline");
  }
}

// Keep a page in the cache of the user it was made for, once the pages of anyone else are gone.
// `before`: the sign-outs seen when the request left; a page that crossed a sign-out is not kept.
async function keep(request, response, before) {
  const user = response.headers.get("Kotaku-User"); // absent on redirects and on answers not from the app
  if (!user || before !== signedOut) return;
  const cache = await keepPagesOf(user === "none" ? null : user);
  if (cache && cacheable(response)) await cache.put(request, response.clone());
}

// Delete every user's pages but `user`'s; answer `user`'s cache (none for nobody).
async function keepPagesOf(user) {
  const mine = user && pagesName(user);
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES) && name !== mine) await caches.delete(name);
  }
  return mine && caches.open(mine);
}

// The cache of the user whose pages are kept: the one signed in (or the last one, offline).
async function keptPages() {
  return (await caches.keys()).find((name) => name.startsWith(PAGES) && name.endsWith(BUILD));
}

// The page as kept for the signed-in user, or a shell page.
async function cachedPage(request, url) {
  const mine = await keptPages();
  const cache = mine && await caches.open(mine);
  const page = cache && ((await cache.match(request, { ignoreVary: true })) || (await anotherDay(cache, url)));
  return page || (await caches.open(SHELL)).match(request, { ignoreVary: true });
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

async function warm(urls) {
  const before = signedOut;
  for (const url of urls) {
    if (before !== signedOut) return; // signed out meanwhile: the rest would only meet the sign-in page
    try {
      const request = new Request(url, { credentials: "same-origin" });
      const response = await fetch(request);
      // Warming fills the signed-in user's pages; only a page the user opens may change who that is.
      const kept = await keptPages();
      if (!kept || kept === pagesName(response.headers.get("Kotaku-User"))) await keep(request, response, before);
    } catch { /* offline now: the next page load warms again */ }
  }
}

async function anotherDay(cache, url) {
  const match = DAY_PAGE.exec(url.pathname);
  if (!match) return undefined;
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
