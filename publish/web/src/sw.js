// The service worker: the map keeps working offline, and never goes stale.
//
// - /data/manifest.json: ALWAYS the network first (a stale service worker
//   that pins old epidemic data is the failure this file exists to avoid);
//   the cached copy only when the network fails, marked with a header so the
//   page says it is offline. A fresh manifest also prunes the data cache to
//   the files that release names (the last viewed release is what is kept).
// - release manifests and layer blobs (content-addressed, immutable): the
//   cache first, the network otherwise (and cached).
// - the app shell (index.html, the hashed bundle, config.json): precached at
//   install; the page from the cache at once while a fresh copy is fetched
//   for the next visit; hashed files from the cache.
// Nothing else is touched: the write API, OGC API, range requests (a large
// layer's PMTiles archive: such a layer is not kept for offline use, and its
// blob is not fetched in the background), other origins (basemap tiles) go
// to the network as if there were no worker.

/* global self, caches, fetch, Response, URL */
const VERSION = '__BUILD_VERSION__';
const SHELL = __SHELL_FILES__;
const SHELL_CACHE = `covidmaps-shell-${VERSION}`;
const DATA_CACHE = 'covidmaps-data';
const SCOPE = new URL(self.registration.scope);
const DATA = new URL('data/', SCOPE).pathname;
const POINTER = `${DATA}manifest.json`;
// the immutable release files (release manifests, blobs): the grammar is the
// model's (covidmaps_plugin/model/wire.py), put here by build.mjs from src/generated/wire.json
const IMMUTABLE_DATA = new RegExp(`^${DATA}(?:${__IMMUTABLE_DATA__})$`);
const HASHED = /[.-][0-9A-Za-z_-]{8,}\.(?:js|css|svg|png|woff2?)$/;

/** A layer drawn from its PMTiles archive by byte ranges: its blob (the
 * whole layer, megabytes for a national map) is only fetched when the
 * reader asks for it (list, search), never in the background. */
const isTiled = (entry) => Boolean(entry.tiles && entry.tiles.format === 'pmtiles');

/** Keep the current release's files (the page that registered the worker
 * has just fetched them, so this mostly reads the browser's HTTP cache). */
async function warmData() {
  const response = await fetch(new URL(POINTER, SCOPE), { cache: 'no-cache' });
  if (!response.ok) return;
  const manifest = await response.clone().json();
  const cache = await caches.open(DATA_CACHE);
  await cache.put(POINTER, response);
  const base = new URL(DATA, SCOPE);
  const hrefs = [`releases/${manifest.release_id}.json`];
  for (const entry of [...(manifest.layers || []), ...(manifest.reference || [])]) {
    if (entry.blob && entry.blob.href && !isTiled(entry)) hrefs.push(entry.blob.href);
  }
  await Promise.all(hrefs.map(async (href) => {
    const url = new URL(href, base);
    if (url.origin !== SCOPE.origin || !IMMUTABLE_DATA.test(url.pathname) || await cache.match(url)) return;
    const blob = await fetch(url);
    if (blob.ok) await cache.put(url, blob);
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE)
    .then((cache) => cache.addAll(SHELL.map((path) => new Request(new URL(path, SCOPE), { cache: 'reload' }))))
    .then(() => warmData().catch(() => {}))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names
      .filter((name) => name.startsWith('covidmaps-shell-') && name !== SHELL_CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

/** Drop cached data files the new release does not name. */
async function prune(manifest) {
  const keep = new Set([POINTER, `${DATA}releases/${manifest.release_id}.json`]);
  for (const entry of [...(manifest.layers || []), ...(manifest.reference || [])]) {
    if (entry.blob && entry.blob.href) keep.add(new URL(entry.blob.href, new URL(DATA, SCOPE)).pathname);
  }
  const cache = await caches.open(DATA_CACHE);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (!keep.has(path) && !path.startsWith(`${DATA}releases/`)) await cache.delete(request);
  }
  // a few release manifests (the history view), not every one ever seen
  const releases = (await cache.keys()).filter((r) => new URL(r.url).pathname.startsWith(`${DATA}releases/`));
  for (const request of releases.slice(0, Math.max(0, releases.length - 12))) {
    if (!keep.has(new URL(request.url).pathname)) await cache.delete(request);
  }
}

async function pointer(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(request, { cache: 'no-cache' });
    if (response.ok) {
      const copy = response.clone();
      copy.json().then((manifest) => cache.put(POINTER, new Response(JSON.stringify(manifest), {
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      })).then(() => prune(manifest))).catch(() => {});
    }
    return response;
  } catch (error) {
    const cached = await cache.match(POINTER);
    if (!cached) throw error;
    const headers = new Headers(cached.headers);
    headers.set('X-CovidMaps-Offline', '1');
    return new Response(await cached.blob(), { status: 200, headers });
  }
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') cache.put(request, response.clone());
  return response;
}

async function page(event) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(new URL('./', SCOPE).href);
  const fresh = fetch(event.request).then((response) => {
    if (response.ok) cache.put(new URL('./', SCOPE).href, response.clone());
    return response;
  });
  if (hit) {
    event.waitUntil(fresh.catch(() => {}));
    return hit;
  }
  return fresh;
}

async function networkFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(request);
    if (hit) return hit;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || request.headers.has('range')) return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin) return;
  if (url.pathname === POINTER) {
    event.respondWith(pointer(request));
  } else if (IMMUTABLE_DATA.test(url.pathname)) {
    event.respondWith(cacheFirst(request, DATA_CACHE));
  } else if (url.pathname.startsWith(DATA) || url.pathname.startsWith(`${SCOPE.pathname}api/`)
      || url.pathname.startsWith(`${SCOPE.pathname}ogcapi`)) {
    // other data files (feed, keys, downloads, tiles) and the APIs: the network
  } else if (request.mode === 'navigate') {
    event.respondWith(page(event));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request, SHELL_CACHE));
  } else if (SHELL.some((path) => new URL(path, SCOPE).pathname === url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});
