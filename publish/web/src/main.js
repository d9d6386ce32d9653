// CovidMaps public web map: loads the current (or an earlier) release, draws
// its layers over the province outlines, and keeps the view in the URL.
// This file wires the parts together: the store (store.js) every feature
// module is handed, the filters (filters.js), the map (mapview.js), the
// legend (legend.js) and the header (chrome.js).

import './app.css';
import { addBasemap, addReference, setBasemap } from './backdrop.js';
import { loadBlob, loadConfig, loadManifest } from './data.js';
import { byId } from './dom.js';
import { setTimeZone } from './format.js';
import { initialLang, lang, setLang, t } from './i18n.js';
import { control } from './leaflet.js';
import { createPanels } from './panels.js';
import { createState, readUrl, shareUrl, writeUrl } from './state.js';
import { isArea, layerStatus } from './symbols.js';
import { VectorTileLayer, isTiled, showTiled } from './tiles.js';
import { inForce, isLevels, referenceDay } from './levels.js';
import { createChanges } from './changes.js';
import { renderDownloads } from './downloads.js';
import { initOffline, registerWorker } from './offline.js';
import { createStore } from './store.js';
import { matches, visibleCount } from './filters.js';
import { idOf, titleOf } from './hints.js';
import { renderLegend } from './legend.js';
import { renderChrome, showLoadError } from './chrome.js';
import { createMapView } from './mapview.js';

const store = createStore(readUrl(createState()));
window.covidmapsApp = store; // for tests and the benchmark: read-only inspection
store.setBasemap = (on) => setBasemap(store, on);

// ------------------------------------------------------------ services

store.matches = (layerId, props, feature) => {
  const meta = store.layers.get(layerId)?.meta || { id: layerId };
  // an epidemic level counts while it is in force (levels.js)
  const today = isLevels(meta) ? referenceDay(store) : null;
  return matches(store.state, meta, props, {
    feature, inForce: today ? (p) => inForce(meta, p, today) : null,
  });
};

store.visibleFeatures = (layerId) => {
  const entry = store.layers.get(layerId);
  if (!entry || !entry.features) return [];
  return entry.features.filter((f) => store.matches(layerId, f.properties, f));
};

store.visibleCount = (layerId) => {
  const entry = store.layers.get(layerId);
  return visibleCount(store.state, entry, entry && entry.features ? store.visibleFeatures(layerId) : []);
};

store.lookups = {
  districtName: (code) => store.districts.get(code) || (code ? String(code) : null),
  // a value pointing at a feature of another layer (a checkpoint's zone):
  // that feature's title; undefined when layerId is no layer of the release
  featureTitle: (layerId, id) => {
    const entry = store.layers.get(layerId);
    if (!entry) return undefined;
    const hit = entry.features && entry.features.find((f) => idOf(entry.meta, f) === String(id));
    return hit ? titleOf(entry.meta, hit.properties) : null;
  },
};

store.layerStatus = (meta) => {
  const entry = store.layers.get(meta.id);
  return layerStatus(meta, entry && entry.features);
};

const legend = () => renderLegend(store);
const view = createMapView(store, { renderLegend: legend });
store.openFeature = view.openFeature;

store.announce = (text) => {
  const live = byId('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
};

store.refresh = ({ announce = true } = {}) => {
  for (const entry of store.layers.values()) view.applyFilterToLayer(entry);
  legend();
  store.panels.update();
  writeUrl(store.state);
  if (announce) {
    const n = [...store.layers.keys()].reduce((sum, id) => sum + (store.visibleCount(id) || 0), 0);
    store.announce(n ? t('results', { n }) : t('no_results'));
  }
};

/** Features of a tiled layer come from its GeoJSON blob only when a panel
 * (list, near me, statistics) needs them. */
store.ensureFeatures = async (layerId) => {
  const entry = store.layers.get(layerId);
  if (!entry) return [];
  if (!entry.features) {
    entry.loading = entry.loading || loadBlob(entry.meta.blob).then((features) => {
      entry.features = features;
      entry.status = 'ready';
      legend();
      return features;
    });
    await entry.loading;
  }
  return entry.features;
};

store.ensureAll = () => Promise.all([...store.layers.keys()].map((id) => store.ensureFeatures(id).catch(() => [])));

// ---------------------------------------------------------- header, i18n

function switchLanguage() {
  setLang(lang() === 'vi' ? 'en' : 'vi');
  store.state.lang = lang();
  renderChrome(store);
  legend();
  store.panels.rerender();
  if (store.popup.isOpen()) store.map.closePopup();
  writeUrl(store.state);
}

async function share() {
  const url = shareUrl(store.state);
  if (navigator.share && matchMedia('(pointer: coarse)').matches) {
    try {
      await navigator.share({ title: document.title, url });
      return;
    } catch {
      // cancelled: fall back to copying
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    store.announce(t('share_copied'));
    store.panels.toast(t('share_copied'));
  } catch {
    store.panels.showShare(url);
  }
}

// -------------------------------------------------------------- startup

function loadLayers(manifest) {
  const pending = [];
  for (const meta of manifest.layers || []) {
    const entry = { meta, features: null, status: 'loading' };
    store.layers.set(meta.id, entry);
    if (isTiled(meta)) {
      entry.tileLayer = new VectorTileLayer(meta, {
        matches: (props) => store.matches(meta.id, props, null),
        statusShown: (status) => !store.state.hiddenStatuses.has(`${meta.id}:${status}`),
        onDrawn: view.markDrawn,
        onFailed: (error) => {
          if (entry.tilesFailed) return;
          console.warn(`${meta.id}: its tiles cannot be read (${error}); drawing its GeoJSON`);
          entry.tilesFailed = true; // the blob is authoritative: draw it instead
          showTiled(store, entry, legend);
        },
      }, { pane: isArea(meta) ? 'areasPane' : 'tiledPointsPane' });
      entry.status = 'tiled';
      continue;
    }
    pending.push(loadBlob(meta.blob).then((features) => {
      entry.features = features;
      entry.status = 'ready';
      view.drawLayer(entry);
    }).catch(() => {
      entry.status = 'error';
    }).finally(legend));
  }
  legend();
  return Promise.all(pending);
}

async function start() {
  setLang(initialLang(store.state.lang));
  if (store.state.lang) store.state.lang = lang();
  byId('lang-toggle').addEventListener('click', switchLanguage);
  byId('share-button').addEventListener('click', share);
  renderChrome(store);
  view.createMap();
  // open data and offline (downloads.js, changes.js, offline.js)
  store.extraPanels = {
    downloads: { title: 'tb_downloads', render: (body) => renderDownloads(store, body) },
    changes: { title: 'tb_changes', ...createChanges(store) },
  };
  initOffline(store);
  store.panels = createPanels(store);
  const configPromise = loadConfig();
  let manifest;
  try {
    manifest = await loadManifest(store.state.release);
  } catch (error) {
    showLoadError(error, store.state.release);
    store.map.setView([16, 106], 6);
    document.documentElement.dataset.ready = 'error';
    return;
  }
  store.manifest = manifest;
  setTimeZone((manifest.profile && manifest.profile.timezone) || 'Asia/Ho_Chi_Minh');
  for (const d of (manifest.profile && manifest.profile.districts) || []) store.districts.set(d.code, d.name);
  renderChrome(store);
  const layersLoaded = loadLayers(manifest); // the legend rows exist now: the view avoids them
  view.initialView(manifest);
  addReference(store, manifest);
  await layersLoaded;
  for (const entry of store.layers.values()) if (entry.tileLayer) view.applyFilterToLayer(entry);
  store.refresh({ announce: false });
  configPromise.then((config) => addBasemap(store, config));
  // on a phone the legend spans the bottom: the scale bar goes to the top
  const narrow = window.matchMedia('(max-width: 719px)').matches;
  control.scale({ imperial: false, position: narrow ? 'topright' : 'bottomright' }).addTo(store.map);
  view.updateZoneMarkers();
  if (store.state.badRelease) showLoadError({ status: 404 }, store.state.release);
  store.panels.restore();
  document.documentElement.dataset.ready = '1';
  registerWorker();
}

start();
