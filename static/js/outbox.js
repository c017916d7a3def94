// The phone's outbox. Every record is saved in IndexedDB first, then sent to /api/sync, exactly once:
// the server answers per uuid, and a record is marked synced only when the answer names its uuid.
// States: pending → sending → synced | conflict | invalid | auth      (design: docs/offline.md)
"use strict";
(() => {
  const STORE = "outbox";
  const BATCH_RECORDS = 200;
  // One POST carries about a second of slow 3G (400 kbit/s): the progress moves batch by batch, and
  // a batch ends well within the 30 s timeout. A photo (up to 200 KB) goes alone; a day's attendance
  // or some 45 signed payments (a signature is under 1 KB, signature.js) go together.
  const BATCH_BYTES = 50_000;
  const MAX_ROUNDS = 200; // batches in one run, a guard: each round settles its batch or stops
  const MAX_BACKOFF_MS = 5 * 60 * 1000;
  const KEEP_SYNCED_MS = 14 * 24 * 3600 * 1000;
  const UNSENT = new Set(["pending", "sending", "auth", "invalid"]);
  const channel = "BroadcastChannel" in self ? new BroadcastChannel("kotaku-outbox") : null;

  let database;
  let failures = 0;
  let nextTryAt = 0;
  let retryTimer = null;
  let queued = null; // this tab's sync waiting for the lock
  let lastSync = Promise.resolve(); // the sync started by the latest save

  function db() {
    database ||= idb.openDB("kotaku", 1, {
      upgrade(d) {
        d.createObjectStore(STORE, { keyPath: "uuid" }).createIndex("seq", "seq");
        d.createObjectStore("meta");
      },
    });
    return database;
  }

  function signedInUser() {
    const meta = document.querySelector('meta[name="kotaku-user"]');
    return meta ? { id: Number(meta.content), username: meta.dataset.username } : null;
  }

  // "2021-04-12T08:03:11+08:00": the phone's own clock and offset.
  function localIso(date) {
    const pad = (n) => String(Math.abs(n)).padStart(2, "0");
    const offset = -date.getTimezoneOffset();
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
      + `${pad(date.getMinutes())}:${pad(date.getSeconds())}${offset >= 0 ? "+" : "-"}`
      + `${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  }

  async function all() {
    return (await db()).getAllFromIndex(STORE, "seq");
  }

  // The signed-in user's records: a shared phone shows, exports and sends nobody else's.
  async function mine() {
    const user = signedInUser();
    return user ? (await all()).filter((r) => r.user_id === user.id) : [];
  }

  // Save records ({uuid, kind, data, label}); a uuid already saved (a double tap) is left alone.
  async function save(records) {
    const user = signedInUser();
    // A page left open after its user signed out (pwa.js) files nothing under that user.
    if (!user || document.cookie.split("; ").includes("kotaku_signed_out=1")) {
      throw new Error("Silakan masuk terlebih dahulu.");
    }
    const now = new Date();
    const tx = (await db()).transaction(STORE, "readwrite");
    for (const [i, record] of records.entries()) {
      if (await tx.store.get(record.uuid)) continue;
      await tx.store.put({
        ...record, recorded_at: localIso(now), user_id: user.id, username: user.username,
        state: "pending", message: "", errors: null, seq: now.getTime() * 1000 + i,
      });
    }
    await tx.done;
    changed();
    askPersistence();
    lastSync = sync({ force: true });
  }

  async function update(records, state, message = "", errors = null) {
    const tx = (await db()).transaction(STORE, "readwrite");
    for (const record of records) {
      Object.assign(record, { state, message, errors });
      if (state === "synced") record.synced_at = Date.now();
      // UU PDP: once the server holds the record (stored, or kept as a conflict) the phone needs no NIK.
      if ((state === "synced" || state === "conflict") && record.data?.nik) record.data.nik = mask(record.data.nik);
      await tx.store.put(record);
    }
    await tx.done;
    changed();
  }

  function mask(nik) {
    return nik.length > 8 ? nik.slice(0, 4) + "•".repeat(nik.length - 8) + nik.slice(-4) : nik;
  }

  async function discard(uuid) {
    await (await db()).delete(STORE, uuid);
    changed();
  }

  // One sender across tabs (Web Lock). A tab that finds the lock taken waits its turn, queued once:
  // the holder may have read the outbox before this tab's newest save, and sendAll reads it afresh
  // under the lock, so what the holder sent is never sent again.
  function sync({ force = false } = {}) {
    if (!force && Date.now() < nextTryAt) return Promise.resolve();
    if (!navigator.locks) return sendAll();
    queued ||= navigator.locks.request("kotaku-outbox", () => {
      queued = null;
      return sendAll();
    });
    return queued;
  }

  // Send what waits, then ask the server what the supervisor decided on this user's conflicts.
  async function sendAll() {
    await sendWaiting();
    await learnOutcomes();
  }

  // Batch after batch until nothing waits, telling the page how far it is (outbox:progress).
  async function sendWaiting() {
    let session = null; // asked once per run: a slow link pays its round trips once
    const progress = { sent: 0, total: 0, sending: 0 };
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const records = await all();
      await prune(records);
      // "sending" left by a tab that closed mid-send: we hold the lock, so nobody sends it now.
      const waiting = records.filter((r) => ["pending", "sending", "auth"].includes(r.state));
      if (!waiting.length) break;
      if (!session) {
        if (!(await reachable())) return retryLater(waiting, "Server belum terjangkau; dicoba lagi nanti.");
        session = await getJson("/api/csrf");
        if (!session) return retryLater(waiting, "Server belum terjangkau; dicoba lagi nanti.");
        if (!session.user) return update(waiting, "auth", "Masuk lagi untuk mengirim data ini.");
      }
      // Records made by another user on this phone wait for that user: never sent as someone else's.
      const mine = waiting.filter((r) => r.user_id === session.user.id);
      if (!mine.length) break;
      const batch = nextBatch(mine);
      Object.assign(progress, { total: progress.sent + mine.length, sending: batch.length });
      tellProgress(progress);
      const outcome = await send(batch, session.csrf_token);
      if (outcome === "stop") return tellProgress(null);
      Object.assign(progress, { sent: progress.sent + batch.length, sending: 0 });
    }
    tellProgress(progress.sent ? progress : null);
    return changed();
  }

  // {sent, total, sending} of the run under way (null: none), to this tab and the others.
  function tellProgress(progress, fromOtherTab = false) {
    if (!fromOtherTab && channel) channel.postMessage({ progress });
    document.dispatchEvent(new CustomEvent("outbox:progress", { detail: progress && { ...progress } }));
  }

  function nextBatch(records) {
    const batch = [];
    let bytes = 0;
    for (const record of records) {
      const size = JSON.stringify(record.data).length;
      if (batch.length && (batch.length >= BATCH_RECORDS || bytes + size > BATCH_BYTES)) break;
      batch.push(record);
      bytes += size;
    }
    return batch;
  }

  async function send(batch, token) {
    await update(batch, "sending");
    let response;
    try {
      response = await fetch("/api/sync", {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify({
          records: batch.map((r) => ({ uuid: r.uuid, kind: r.kind, recorded_at: r.recorded_at, data: r.data, ...(r.replaces ? { replaces: r.replaces } : {}) })),
        }),
        signal: AbortSignal.timeout(30000),
      });
    } catch {
      // The reply may be lost after the server stored the records: resending is safe (same uuids).
      await retryLater(batch, "Koneksi terputus saat mengirim; dicoba lagi nanti.");
      return "stop";
    }
    if (response.type === "opaqueredirect" || response.status === 401) {
      await update(batch, "auth", "Sesi berakhir. Masuk lagi untuk mengirim data ini.");
      return "stop";
    }
    const body = await response.json().catch(() => null);
    if (!response.ok || !body || !Array.isArray(body.results)) {
      const why = response.status === 400 || response.status === 403
        ? "Token keamanan ditolak" : `Server menjawab ${response.status}`;
      await retryLater(batch, `${why}; dicoba lagi nanti.`);
      return "stop";
    }
    const unanswered = await settle(batch, body.results);
    if (unanswered.length) {
      // An answer that does not name a record settles nothing for it: back off, never loop on it.
      await retryLater(unanswered, "Belum dijawab server; dicoba lagi nanti.");
      return "stop";
    }
    failures = 0;
    nextTryAt = 0;
    return "sent";
  }

  const DECIDED = {
    kept_existing: "Supervisor mempertahankan data tersimpan; data ini tidak dipakai.",
    kept_incoming: "Supervisor menerima data ini.",
  };

  // The outcome of records kept as conflicts (POST /api/outcomes): stored on each record, told in
  // its message; a decided record is asked about no more.
  async function learnOutcomes() {
    const waiting = (await mine()).filter((r) => r.state === "conflict" && !DECIDED[r.outcome?.status]);
    if (!waiting.length) return;
    const session = await getJson("/api/csrf");
    if (!session?.user) return;
    let body = null;
    try {
      const response = await fetch("/api/outcomes", {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": session.csrf_token },
        body: JSON.stringify({ uuids: waiting.slice(0, 500).map((r) => r.uuid) }),
        signal: AbortSignal.timeout(15000),
      });
      body = response.ok ? await response.json() : null;
    } catch {
      return; // asked again at the next sync
    }
    const answers = new Map((body?.outcomes || []).map((o) => [o.uuid, o]));
    const tx = (await db()).transaction(STORE, "readwrite");
    let news = false;
    for (const record of waiting) {
      const outcome = answers.get(record.uuid);
      if (!outcome || outcome.status === record.outcome?.status) continue;
      record.outcome = outcome;
      record.message = outcomeText(outcome);
      if (DECIDED[outcome.status]) record.errors = null; // "menunggu keputusan" is over
      news = true;
      await tx.store.put(record);
    }
    await tx.done;
    if (news) changed();
  }

  function outcomeText(outcome) {
    if (!DECIDED[outcome.status]) return "Menunggu keputusan supervisor.";
    const when = outcome.decided_at_text ? ` (${outcome.decided_at_text})` : "";
    return `${DECIDED[outcome.status]}${when}${outcome.reason ? ` Alasan: ${outcome.reason}` : ""}`;
  }

  // Apply the server's answer per uuid; return the records it did not answer for.
  async function settle(batch, results) {
    const byUuid = new Map(results.filter((r) => r && r.uuid).map((r) => [r.uuid, r]));
    const unanswered = [];
    for (const record of batch) {
      const result = byUuid.get(record.uuid);
      if (!result) unanswered.push(record);
      else if (result.status === "created") await update([record], "synced");
      else if (result.status === "duplicate") {
        record.again = true; // a resend of what the server already holds
        await update([record], "synced", "Sudah tersimpan sebelumnya.");
      }
      else if (result.status === "conflict") {
        await update([record], "conflict", "Bentrok dengan data tersimpan; menunggu keputusan supervisor.", result.errors);
      } else if (result.status === "forbidden") await update([record], "invalid", "Di luar wewenang Anda.", result.errors);
      else await update([record], "invalid", "Isian tidak valid.", result.errors);
    }
    return unanswered;
  }

  async function retryLater(records, message) {
    failures += 1;
    const delay = Math.min(2 ** failures * 1000, MAX_BACKOFF_MS);
    nextTryAt = Date.now() + delay;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => sync({ force: true }), delay); // never skipped if the clock moved
    await update(records, "pending", message);
  }

  async function prune(records) {
    const old = records.filter((r) => r.state === "synced" && Date.now() - r.synced_at > KEEP_SYNCED_MS);
    if (!old.length) return;
    const tx = (await db()).transaction(STORE, "readwrite");
    for (const record of old) await tx.store.delete(record.uuid);
    await tx.done;
  }

  async function reachable() {
    const body = await getJson("/api/ping");
    return Boolean(body && body.ok === true); // navigator.onLine can be true with no server in reach
  }

  async function getJson(url) {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store", signal: AbortSignal.timeout(8000) });
      return response.ok ? await response.json() : null;
    } catch {
      return null;
    }
  }

  async function askPersistence() {
    if (navigator.storage && navigator.storage.persist && !(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  }

  // Resolve with the records once they have left pending/sending, once the sync their save started
  // has given up for now (offline it fails at once: the form must not sit waiting), or after `ms`.
  function settled(uuids, ms) {
    const mine = async () => (await all()).filter((r) => uuids.includes(r.uuid));
    let check;
    const done = new Promise((resolve) => {
      check = async () => {
        if ((await mine()).every((r) => !["pending", "sending"].includes(r.state))) resolve();
      };
      document.addEventListener("outbox:changed", check);
      check();
    });
    const timeout = new Promise((resolve) => { setTimeout(resolve, ms); });
    return Promise.race([done, lastSync, timeout]).then(() => {
      document.removeEventListener("outbox:changed", check);
      return mine();
    });
  }

  // Tell the page (badge, lists) what the outbox holds. A change made while an announcement is being
  // read is announced once more afterwards, never dropped: else the badge could keep a stale count.
  let announcing = false;
  let changedAgain = false;
  async function changed(fromOtherTab = false) {
    if (!fromOtherTab && channel) channel.postMessage("changed");
    if (announcing) {
      changedAgain = true;
      return;
    }
    announcing = true;
    try {
      do {
        changedAgain = false;
        const everyone = await all();
        const records = await mine();
        const unsent = records.filter((r) => UNSENT.has(r.state));
        const others = everyone.filter((r) => UNSENT.has(r.state)).length - unsent.length;
        document.dispatchEvent(new CustomEvent("outbox:changed", { detail: { records, unsent: unsent.length, others } }));
      } while (changedAgain);
    } finally {
      announcing = false;
    }
  }

  async function exportUnsent() {
    const unsent = (await mine()).filter((r) => UNSENT.has(r.state));
    const blob = new Blob([JSON.stringify({ exported_at: localIso(new Date()), records: unsent }, null, 2)],
      { type: "application/json" });
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(blob), download: `kotaku-belum-terkirim-${Date.now()}.json`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    return unsent.length;
  }

  async function getMeta(key) { return (await db()).get("meta", key); }
  async function setMeta(key, value) { return (await db()).put("meta", value, key); }

  if (channel) {
    channel.onmessage = ({ data }) => (data?.progress !== undefined ? tellProgress(data.progress, true) : changed(true));
  }
  addEventListener("online", () => sync({ force: true }));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && sync());
  setInterval(() => sync(), 60_000);
  addEventListener("DOMContentLoaded", () => { changed(); sync({ force: true }); });

  self.Outbox = {
    save, sync, all, mine, discard, settled, exportUnsent, signedInUser, getMeta, setMeta, reachable, UNSENT,
    newId: () => crypto.randomUUID(),
  };
})();
