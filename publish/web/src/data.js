// Loading a release: the manifest (current or an earlier one), its layer
// blobs and reference outlines, the optional config.json. URLs in the
// manifest are relative to /data/.

const DATA_BASE = new URL('data/', document.baseURI);

export function dataUrl(href) {
  const url = new URL(href, DATA_BASE);
  // a manifest must not send us elsewhere: same origin, under /data/
  if (url.origin !== DATA_BASE.origin || !url.pathname.startsWith(DATA_BASE.pathname)) {
    throw new Error(`href outside /data/: ${href}`);
  }
  return url.href;
}

/** Whether the current manifest is the service worker's kept copy (sw.js
 * marks it when the network failed): the page says it is offline. */
export const dataStatus = { manifestOffline: false };

async function getJson(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) {
    const error = new Error(`${response.status} ${url}`);
    error.status = response.status;
    throw error;
  }
  if (response.headers.get('X-CovidMaps-Offline')) dataStatus.manifestOffline = true;
  return response.json();
}

export function loadManifest(releaseId) {
  const href = releaseId ? `releases/${encodeURIComponent(releaseId)}.json` : 'manifest.json';
  return getJson(dataUrl(href), { cache: releaseId ? 'default' : 'no-cache' });
}

export async function loadBlob(blob) {
  const collection = await getJson(dataUrl(blob.href));
  if (!collection || !Array.isArray(collection.features)) throw new Error('not a FeatureCollection');
  return collection.features.filter((f) => f && f.geometry && f.properties);
}

/** config.json next to index.html: optional, e.g. a tile basemap. */
export async function loadConfig() {
  try {
    const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-cache' });
    if (!response.ok) return {};
    const config = await response.json();
    return config && typeof config === 'object' ? config : {};
  } catch {
    return {};
  }
}

const PLAIN_URL = /^https:\/\/[^\s"'<>]+$/i;

/** A basemap from config.json, only if its URL is a plain http(s) template
 * and it is not switched off ("enabled": false). */
export function basemapOf(config) {
  const b = config && config.basemap;
  if (!b || typeof b.url !== 'string' || b.enabled === false) return null;
  if (!/^https?:\/\/[^\s"'<>]+$/i.test(b.url) && !/^\/[^\s"'<>]*$/.test(b.url)) return null;
  if (!b.url.includes('{z}') || !b.url.includes('{x}') || !b.url.includes('{y}')) return null;
  return {
    url: b.url,
    attribution: typeof b.attribution === 'string' ? b.attribution.slice(0, 300) : '',
    // the licence page the attribution links to (OpenStreetMap requires one)
    attributionUrl: typeof b.attribution_url === 'string' && PLAIN_URL.test(b.attribution_url)
      ? b.attribution_url : null,
    maxZoom: Number.isFinite(b.max_zoom) ? b.max_zoom : 19,
  };
}
