// What the citizen is looking at, kept in the URL so a copied link opens the
// same view: center/zoom, layers, statuses, district, search, language,
// release and the open panel. The user's location is never part of it.

const RELEASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
const PANELS = ['filters', 'list', 'nearme', 'stats', 'changes', 'downloads'];

export function createState() {
  return {
    lang: null,
    release: null,
    center: null, // [lat, lng]
    zoom: null,
    hiddenLayers: new Set(),
    hiddenStatuses: new Set(), // "layer:status"
    district: '',
    query: '',
    panel: null,
    basemapOff: false, // the reader switched the basemap off (saves data)
  };
}

function list(value) {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

export function readUrl(state, search = window.location.search) {
  const p = new URLSearchParams(search);
  state.lang = p.get('lang');
  const release = p.get('release');
  state.release = release && RELEASE_ID.test(release) && !release.includes('..') ? release : null;
  state.badRelease = release && !state.release ? release : null;
  const c = list(p.get('c')).map(Number);
  if (c.length === 2 && c.every(Number.isFinite) && Math.abs(c[0]) <= 90 && Math.abs(c[1]) <= 180) {
    state.center = c;
  }
  const z = Number(p.get('z'));
  if (p.has('z') && Number.isFinite(z) && z >= 0 && z <= 22) state.zoom = z;
  state.hiddenLayers = new Set(list(p.get('off')));
  state.hiddenStatuses = new Set(list(p.get('hide')));
  state.district = (p.get('d') || '').slice(0, 10);
  state.query = (p.get('q') || '').slice(0, 200);
  state.panel = PANELS.includes(p.get('panel')) ? p.get('panel') : null;
  state.basemapOff = p.get('bm') === '0';
  return state;
}

export function toSearch(state) {
  const p = new URLSearchParams();
  if (state.release) p.set('release', state.release);
  if (state.lang) p.set('lang', state.lang);
  if (state.center) p.set('c', state.center.map((v) => v.toFixed(5)).join(','));
  if (state.zoom != null) p.set('z', String(Math.round(state.zoom * 100) / 100));
  if (state.hiddenLayers.size) p.set('off', [...state.hiddenLayers].join(','));
  if (state.hiddenStatuses.size) p.set('hide', [...state.hiddenStatuses].join(','));
  if (state.district) p.set('d', state.district);
  if (state.query) p.set('q', state.query);
  if (state.panel) p.set('panel', state.panel);
  if (state.basemapOff) p.set('bm', '0');
  const text = p.toString();
  return text ? `?${text}` : '';
}

export function writeUrl(state) {
  const url = `${window.location.pathname}${toSearch(state)}`;
  window.history.replaceState(null, '', url);
}

export function shareUrl(state) {
  return `${window.location.origin}${window.location.pathname}${toSearch(state)}`;
}
