// CovidMaps public web map: loads the current (or an earlier) release, draws
// its four layers over the province outlines, and keeps the view in the URL.

import './app.css';
import { addBasemap, addReference, renderAttribution, setBasemap } from './backdrop.js';
import { loadBlob, loadConfig, loadManifest } from './data.js';
import { byId, clear, el } from './dom.js';
import { formatAgo, formatDateTime, searchKey, setTimeZone, telLink } from './format.js';
import { initialLang, lang, pick, setLang, t } from './i18n.js';
import {
  Canvas, GeoJSON, LayerGroup, LeafletMap, Popup, ShapeMarker, control, latLng,
  latLngBounds,
} from './leaflet.js';
import { createPanels } from './panels.js';
import { popupContent } from './popup.js';
import { createState, readUrl, shareUrl, writeUrl } from './state.js';
import {
  AGE_DAYS, ZONE_MIN_PX, ageOf, areaOptions, hasAge, isArea, layerStatus, pointOptions,
  presentStatuses, swatch, zoneMarkerOptions,
} from './symbols.js';
import { anchorOf } from './geo.js';
import { VectorTileLayer, isTiled, showTiled, tapTiled } from './tiles.js';
import {
  inForce, isLevels, layerSwatch, levelBadge, levelPopup, levelStyle, levelsLegend, referenceDay,
  restyleLevels,
} from './levels.js';
import { createChanges } from './changes.js';
import { renderDownloads } from './downloads.js';
import { initOffline, registerWorker, renderOffline } from './offline.js';

const app = {
  state: readUrl(createState()),
  manifest: null,
  layers: new Map(), // id -> {meta, features, status: 'loading'|'ready'|'error', ...}
  districts: new Map(),
  map: null,
  popup: null,
  returnFocus: null,
  drawnMarked: false,
  reference: new Map(), // reference id -> its Leaflet layer
};
window.covidmapsApp = app; // for tests and the benchmark: read-only inspection
app.setBasemap = (on) => setBasemap(app, on);

// ------------------------------------------------------------ filtering

function featureKey(feature) {
  if (feature._key == null) {
    const p = feature.properties || {};
    feature._key = searchKey([p.name, p.address, p.road].filter(Boolean).join(' '));
  }
  return feature._key;
}

app.matches = function matches(layerId, props, feature) {
  const s = app.state;
  if (s.hiddenLayers.has(layerId)) return false;
  // an epidemic level counts while it is in force (levels.js)
  if (isLevels(app.layers.get(layerId)?.meta) && !inForce(props, referenceDay(app))) return false;
  if (s.hiddenStatuses.has(`${layerId}:${props.status}`)) return false;
  if (s.district && props.district_code !== s.district) return false;
  if (s.query) {
    const key = feature ? featureKey(feature) : searchKey([props.name, props.address, props.road].join(' '));
    return searchKey(s.query).split(' ').every((word) => key.includes(word));
  }
  return true;
};

app.visibleFeatures = function visibleFeatures(layerId) {
  const entry = app.layers.get(layerId);
  if (!entry || !entry.features) return [];
  return entry.features.filter((f) => app.matches(layerId, f.properties, f));
};

/** How many features of a layer pass the filters. A tiled layer whose blob
 * is not loaded: its feature count while no filter applies to it, else null
 * (unknown until the blob comes). */
app.visibleCount = function visibleCount(layerId) {
  const entry = app.layers.get(layerId);
  if (!entry) return 0;
  if (entry.features) return app.visibleFeatures(layerId).length;
  const s = app.state;
  if (s.hiddenLayers.has(layerId)) return 0;
  const filtered = s.district || s.query || [...s.hiddenStatuses].some((k) => k.startsWith(`${layerId}:`));
  return filtered ? null : (entry.meta.feature_count ?? 0);
};

app.lookups = {
  districtName: (code) => app.districts.get(code) || (code ? String(code) : null),
  zoneName: (uid) => {
    const zones = app.layers.get('isolation_zones');
    const zone = zones && zones.features && zones.features.find((f) => f.id === uid);
    return zone ? zone.properties.name : null;
  },
};

// ---------------------------------------------------------- the map

function markDrawn() {
  if (app.drawnMarked) return;
  app.drawnMarked = true;
  performance.mark('features-drawn');
  document.documentElement.dataset.featuresDrawn = '1';
}

function createMap() {
  const map = new LeafletMap('map', {
    zoomControl: true,
    attributionControl: false,
    preferCanvas: true,
    zoomSnap: 0.25,
    minZoom: 6,
    maxZoom: 18,
    tap: true,
  });
  // district names sit above the points, so a cluster of markers cannot
  // hide them (the labels let taps through to the markers underneath)
  for (const [name, z] of [['referencePane', 300], ['areasPane', 400], ['pointsPane', 600], ['labelsPane', 640]]) {
    map.createPane(name).style.zIndex = String(z);
  }
  map.getPane('labelsPane').style.pointerEvents = 'none';
  // Zones and points share one canvas: Leaflet hands a tap only to the
  // topmost canvas, so zones on a canvas of their own under the points could
  // never be tapped. Zones are kept at the back of it (bringToBack), points
  // drawn and hit first.
  const features = new Canvas({ pane: 'pointsPane', tolerance: 8 });
  app.renderers = {
    areas: features,
    points: features,
    reference: new Canvas({ pane: 'referencePane' }),
  };
  // the popup is panned clear of the zoom buttons (top left), so its title
  // is never under them on a phone
  app.popup = new Popup({
    maxWidth: Math.min(340, window.innerWidth - 84), minWidth: Math.min(240, window.innerWidth - 90),
    // (and, on a phone, below the scale bar at the top right)
    autoPanPaddingTopLeft: [60, 36], autoPanPaddingBottomRight: [12, 12], className: 'feature-popup',
  });
  // on a phone the legend (spanning the bottom) steps aside while a popup
  // is open, so the feature it points at is not under it
  map.on('popupopen', () => document.body.classList.add('popup-open'));
  map.on('popupclose', () => document.body.classList.remove('popup-open'));
  map.on('popupopen', (e) => {
    const title = e.popup.getElement() && e.popup.getElement().querySelector('.popup-title');
    if (title && app.focusPopup) title.focus({ preventScroll: true });
    app.focusPopup = false;
  });
  map.on('popupclose', () => {
    if (app.returnFocus && document.contains(app.returnFocus)) app.returnFocus.focus();
    app.returnFocus = null;
  });
  map.on('moveend', () => {
    const c = map.getCenter();
    app.state.center = [c.lat, c.lng];
    app.state.zoom = map.getZoom();
    writeUrl(app.state);
  });
  map.on('click', (e) => onMapClick(e.latlng));
  map.on('zoomend', () => {
    updateZoneMarkers();
    restyleLevels(app);
  });
  // Escape closes a popup wherever the focus is inside the map (Leaflet
  // only listens while the map container itself has the focus)
  map.getContainer().addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && app.popup.isOpen()) {
      e.stopPropagation();
      map.closePopup();
    }
  });
  app.map = map;
  return map;
}

function initialView(manifest) {
  const s = app.state;
  if (s.center && s.zoom != null) {
    app.map.setView(s.center, s.zoom);
    return;
  }
  const profile = manifest.profile || {};
  const bbox = profile.bbox;
  if (Array.isArray(bbox) && bbox.length === 4) {
    app.map.invalidateSize(); // banners above the map may have changed its height
    app.map.fitBounds(latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]), legendPadding());
  } else if (profile.initial_view) {
    const [lon, lat] = profile.initial_view.center;
    app.map.setView([lat, lon], profile.initial_view.zoom || 9);
  } else {
    app.map.setView([16, 106], 6);
  }
}

/** Fit options that keep the province clear of the legend: under it on a
 * phone (the legend spans the bottom), beside it on a wider screen. */
function legendPadding() {
  const legend = byId('legend').getBoundingClientRect();
  const map = app.map.getContainer().getBoundingClientRect();
  if (!legend.width || !map.width) return { padding: [8, 8] };
  if (legend.width > map.width / 2) {
    return { paddingTopLeft: [8, 8], paddingBottomRight: [8, Math.min(legend.height + 8, map.height / 2)] };
  }
  return { paddingTopLeft: [8, 8], paddingBottomRight: [Math.min(legend.width + 12, map.width / 2), 8] };
}

function leafletLayerFor(meta, feature) {
  const props = feature.properties;
  if (isLevels(meta)) {
    // the unit in its level's colour, with the level's number on it
    return new GeoJSON(feature, {
      style: () => ({ ...levelStyle(meta, props, app.map.getZoom()), renderer: app.renderers.areas }),
    })
      .bindTooltip(levelBadge(meta, props), {
        permanent: true, direction: 'center', className: 'level-label', interactive: false,
        pane: 'labelsPane', offset: [0, 18],
      });
  }
  if (isArea(meta)) {
    return new GeoJSON(feature, {
      style: () => ({ ...areaOptions(meta, props.status), renderer: app.renderers.areas }),
    });
  }
  const [lon, lat] = feature.geometry.coordinates;
  const age = hasAge(meta) ? ageOf(props) : 'fresh';
  return new ShapeMarker([lat, lon], { ...pointOptions(meta, props.status, age), renderer: app.renderers.points });
}

/** A ring at a zone's centre, shown while the zone itself is smaller than
 * ZONE_MIN_PX on screen: every zone is visible at the province's zoom. */
function zoneMarkerFor(meta, feature) {
  const anchor = anchorOf(feature.geometry);
  if (!anchor) return null;
  return new ShapeMarker([anchor[1], anchor[0]], {
    ...zoneMarkerOptions(meta, feature.properties.status), renderer: app.renderers.areas,
  });
}

function zoneIsSmall(layer) {
  const b = layer.getBounds();
  const a = app.map.latLngToContainerPoint(b.getSouthWest());
  const c = app.map.latLngToContainerPoint(b.getNorthEast());
  return Math.max(Math.abs(c.x - a.x), Math.abs(c.y - a.y)) < ZONE_MIN_PX;
}

function updateZoneMarkers() {
  for (const entry of app.layers.values()) {
    if (!entry.markers) continue;
    for (const [feature, marker] of entry.markers) {
      const layer = entry.leaflet.get(feature);
      const show = entry.group.hasLayer(layer) && zoneIsSmall(layer);
      if (show && !entry.group.hasLayer(marker)) {
        entry.group.addLayer(marker);
        marker.bringToBack();
      } else if (!show && entry.group.hasLayer(marker)) entry.group.removeLayer(marker);
    }
  }
}

function drawLayer(entry) {
  const { meta } = entry;
  entry.group = new LayerGroup().addTo(app.map);
  entry.leaflet = new Map();
  entry.markers = isArea(meta) && !isLevels(meta) ? new Map() : null;
  for (const feature of entry.features) {
    if (!feature.geometry) continue;
    if (feature.geometry.type !== 'Point' && !isArea(meta)) continue;
    const layer = leafletLayerFor(meta, feature);
    layer.on('click', (e) => {
      openFeature(meta.id, feature, { latlng: e.latlng });
    });
    entry.leaflet.set(feature, layer);
    const marker = entry.markers && zoneMarkerFor(meta, feature);
    if (marker) {
      marker.on('click', () => openFeature(meta.id, feature, { latlng: marker.getLatLng() }));
      entry.markers.set(feature, marker);
    }
  }
  applyFilterToLayer(entry);
  if (entry.features.length) markDrawn();
}

function applyFilterToLayer(entry) {
  if (entry.tileLayer) {
    showTiled(app, entry, renderLegend);
    return;
  }
  if (!entry.group) return;
  for (const [feature, layer] of entry.leaflet) {
    const show = app.matches(entry.meta.id, feature.properties, feature);
    if (show && !entry.group.hasLayer(layer)) {
      entry.group.addLayer(layer);
      if (entry.markers || isLevels(entry.meta)) layer.bringToBack(); // areas under the points
    } else if (!show && entry.group.hasLayer(layer)) entry.group.removeLayer(layer);
  }
  if (entry.markers) updateZoneMarkers();
}

async function onMapClick(latlng) {
  // taps on vector-tile layers (GeoJSON layers handle their own clicks)
  for (const entry of [...app.layers.values()].reverse()) {
    if (!entry.tileLayer || !app.map.hasLayer(entry.tileLayer)) continue;
    if (await tapTiled(app, entry, latlng)) return;
  }
}

/** Show a feature's popup; from the list, also move the map and the focus. */
function openFeature(layerId, feature, { latlng, fromList, returnFocus } = {}) {
  const entry = app.layers.get(layerId);
  if (!entry || !feature) return;
  let where = latlng;
  if (!where) {
    const layer = entry.leaflet && entry.leaflet.get(feature);
    if (layer && layer.getBounds) {
      const b = layer.getBounds();
      app.map.fitBounds(b, { maxZoom: 15, padding: [24, 24], animate: false });
      where = b.getCenter();
    } else if (feature.geometry.type === 'Point') {
      const [lon, lat] = feature.geometry.coordinates;
      where = latLng(lat, lon);
      app.map.setView(where, Math.max(app.map.getZoom(), 13), { animate: false });
    } else {
      const b = new GeoJSON(feature).getBounds();
      app.map.fitBounds(b, { maxZoom: 15, animate: false });
      where = b.getCenter();
    }
  }
  app.returnFocus = returnFocus || null;
  app.focusPopup = Boolean(fromList);
  const content = isLevels(entry.meta) ? levelPopup(app, entry.meta, feature)
    : popupContent(entry.meta, feature, app.lookups);
  app.popup.setLatLng(where).setContent(content).openOn(app.map);
}
app.openFeature = openFeature;

// -------------------------------------------------------------- legend

/** The status a layer's legend row shows: its most frequent one. */
function legendStatus(entry) {
  return layerStatus(entry.meta, entry.features);
}
app.layerStatus = (meta) => {
  const entry = app.layers.get(meta.id);
  return layerStatus(meta, entry && entry.features);
};

/** The two-step age scale of a layer with exposure windows. */
function ageScale(entry) {
  const { meta } = entry;
  if (!hasAge(meta)) return null; // drawn before the features arrive: the legend keeps its size
  const status = legendStatus(entry);
  return el('ul', { class: 'legend-age', dataset: { layer: meta.id } },
    el('li', { dataset: { age: 'fresh' } }, swatch(meta, status, 'fresh'), el('span', null, t('age_fresh', { d: AGE_DAYS }))),
    el('li', { dataset: { age: 'old' } }, swatch(meta, status, 'old'), el('span', null, t('age_old', { d: AGE_DAYS }))));
}

function renderLegend() {
  const list = clear(byId('legend-list'));
  byId('legend-title').textContent = t('legend');
  for (const entry of app.layers.values()) {
    const { meta } = entry;
    const count = entry.features ? app.visibleFeatures(meta.id).length : (meta.feature_count ?? 0);
    const statuses = el('ul', { class: 'legend-statuses' });
    for (const status of presentStatuses(meta, entry.features)) {
      statuses.append(el('li', { dataset: { status } }, swatch(meta, status), el('span', null, pick(meta.status[status]))));
    }
    const off = app.state.hiddenLayers.has(meta.id);
    list.append(el(
      'li', { class: `legend-layer${off ? ' is-off' : ''}`, dataset: { layer: meta.id } },
      el('span', { class: 'legend-row' },
        isLevels(meta) ? layerSwatch(meta) : swatch(meta, legendStatus(entry)),
        el('span', { class: 'legend-name' }, pick(meta.title)),
        el('span', { class: 'legend-count', dataset: { count: String(count) } },
          entry.status === 'error' ? `(${t('layer_failed')})` : `(${count})`)),
      ageScale(entry),
      // drawn from the manifest's count before the features arrive, so the
      // first view already keeps the province clear of the legend's height
      isLevels(meta) && (entry.features ? entry.features.length : meta.feature_count) > 0
        ? levelsLegend(app, entry) : null,
      !isLevels(meta) && statuses.childElementCount > 1 ? statuses : null,
    ));
  }
}

// ------------------------------------------------------------ refresh

app.announce = function announce(text) {
  const live = byId('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
};

app.refresh = function refresh({ announce = true } = {}) {
  for (const entry of app.layers.values()) applyFilterToLayer(entry);
  renderLegend();
  app.panels.update();
  writeUrl(app.state);
  if (announce) {
    const n = [...app.layers.keys()].reduce((sum, id) => sum + (app.visibleCount(id) || 0), 0);
    app.announce(n ? t('results', { n }) : t('no_results'));
  }
};

/** Features of a tiled layer come from its GeoJSON blob only when a panel
 * (list, near me, statistics) needs them. */
app.ensureFeatures = async function ensureFeatures(layerId) {
  const entry = app.layers.get(layerId);
  if (!entry) return [];
  if (!entry.features) {
    entry.loading = entry.loading || loadBlob(entry.meta.blob).then((features) => {
      entry.features = features;
      entry.status = 'ready';
      renderLegend();
      return features;
    });
    await entry.loading;
  }
  return entry.features;
};

app.ensureAll = () => Promise.all([...app.layers.keys()].map((id) => app.ensureFeatures(id).catch(() => [])));

// ---------------------------------------------------------- header, i18n

function renderChrome() {
  const m = app.manifest;
  const profile = (m && m.profile) || {};
  const name = lang() === 'en' ? (profile.name_en || profile.name) : profile.name;
  const title = name ? t('app_title_province', { name }) : t('app_title');
  byId('app-title').textContent = title;
  document.title = title;
  byId('updated-label').textContent = t('updated');
  const updated = m && (m.data_updated_at || m.created_at);
  const time = byId('updated-time');
  time.textContent = updated ? formatDateTime(updated) : t('loading');
  if (updated) time.setAttribute('datetime', updated);
  byId('updated-ago').textContent = updated && !app.state.release ? formatAgo(updated) : '';
  const toggle = byId('lang-toggle');
  toggle.textContent = t('lang_toggle');
  // the accessible name starts with the visible text (WCAG 2.5.3)
  toggle.setAttribute('aria-label', `${t('lang_toggle')} – ${t('lang_toggle_label')}`);
  toggle.setAttribute('lang', lang() === 'vi' ? 'en' : 'vi');
  byId('toolbar').setAttribute('aria-label', t('toolbar'));
  byId('map').setAttribute('aria-label', t('map'));
  byId('panel-close').setAttribute('aria-label', t('close'));
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  renderOldReleaseBanner();
  renderOffline(app);
  renderNotice();
  renderAttribution(app);
}

/** The strip under the header: the province's hotline and one line of
 * advice, from the release (the officer's profile), never from this code. */
function renderNotice() {
  const strip = byId('notice');
  const m = app.manifest;
  const notice = (m && (m.notice || (m.profile && m.profile.notice))) || null;
  const hotline = notice && typeof notice.hotline === 'string' ? notice.hotline.trim() : '';
  const advice = notice ? pick(notice.advice || '').trim() : '';
  clear(strip);
  strip.hidden = !hotline && !advice;
  if (strip.hidden) return;
  strip.setAttribute('aria-label', t('notice_label'));
  if (hotline) {
    const link = telLink(hotline);
    strip.append(el('p', { class: 'notice-hotline' },
      el('span', { 'aria-hidden': 'true', class: 'notice-icon' }, '☎'), ' ',
      `${t('notice_hotline')}: `,
      link ? el('a', { href: link.href, id: 'notice-phone' }, link.number) : el('strong', null, hotline),
      link && link.rest ? link.rest : ''));
  }
  if (advice) strip.append(el('p', { class: 'notice-advice', id: 'notice-advice' }, advice.slice(0, 400)));
}

// the current release's id, asked once when a release is pinned by
// ?release= (a shared link or the history may pin the current one)
let currentReleaseId = null;

function renderOldReleaseBanner() {
  const banner = byId('old-release');
  const m = app.manifest;
  if (!app.state.release || !m) {
    banner.hidden = true;
    return;
  }
  currentReleaseId ??= loadManifest(null).then((cur) => cur.release_id, () => null);
  // shown at once (the first view is laid out with it), then taken away if
  // the pinned release turns out to be the current one (when the pointer
  // cannot be read, e.g. offline, it may be old: it stays)
  currentReleaseId.then((id) => {
    if (app.manifest !== m || !app.state.release) return;
    if (id === m.release_id && !banner.hidden) {
      banner.hidden = true;
      if (app.map) app.map.invalidateSize();
    }
    banner.dataset.checked = '1';
  });
  const current = new URLSearchParams(window.location.search);
  current.delete('release');
  const href = `${window.location.pathname}${current.toString() ? `?${current}` : ''}`;
  // the same time as the header: when the data was current, not a release id
  clear(banner).append(
    el('span', null, t('old_release', { time: formatDateTime(m.data_updated_at || m.created_at) })),
    ' ',
    el('a', { href }, t('current_data')),
  );
  banner.hidden = false;
}

function switchLanguage() {
  setLang(lang() === 'vi' ? 'en' : 'vi');
  app.state.lang = lang();
  renderChrome();
  renderLegend();
  app.panels.rerender();
  if (app.popup.isOpen()) app.map.closePopup();
  writeUrl(app.state);
}

async function share() {
  const url = shareUrl(app.state);
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
    app.announce(t('share_copied'));
    app.panels.toast(t('share_copied'));
  } catch {
    app.panels.showShare(url);
  }
}

// -------------------------------------------------------------- startup

function showLoadError(error) {
  const box = clear(byId('load-error'));
  const message = error && error.status === 404 && app.state.release
    ? t('bad_release', { id: app.state.release })
    : t('load_failed');
  const retry = el('button', { type: 'button' }, t('retry'));
  retry.addEventListener('click', () => window.location.reload());
  box.append(el('span', null, message), ' ', retry);
  box.hidden = false;
}

function loadLayers(manifest) {
  const pending = [];
  for (const meta of manifest.layers || []) {
    const entry = { meta, features: null, status: 'loading' };
    app.layers.set(meta.id, entry);
    if (isTiled(meta)) {
      entry.tileLayer = new VectorTileLayer(meta, {
        matches: (props) => app.matches(meta.id, props, null),
        statusShown: (status) => !app.state.hiddenStatuses.has(`${meta.id}:${status}`),
        onDrawn: markDrawn,
        onFailed: (error) => {
          if (entry.tilesFailed) return;
          console.warn(`${meta.id}: its tiles cannot be read (${error}); drawing its GeoJSON`);
          entry.tilesFailed = true; // the blob is authoritative: draw it instead
          showTiled(app, entry, renderLegend);
        },
      }, { pane: isArea(meta) ? 'areasPane' : 'pointsPane' });
      entry.status = 'tiled';
      continue;
    }
    pending.push(loadBlob(meta.blob).then((features) => {
      entry.features = features;
      entry.status = 'ready';
      drawLayer(entry);
    }).catch(() => {
      entry.status = 'error';
    }).finally(() => renderLegend()));
  }
  renderLegend();
  return Promise.all(pending);
}

async function start() {
  setLang(initialLang(app.state.lang));
  if (app.state.lang) app.state.lang = lang();
  byId('lang-toggle').addEventListener('click', switchLanguage);
  byId('share-button').addEventListener('click', share);
  renderChrome();
  createMap();
  // open data and offline (downloads.js, changes.js, offline.js)
  app.extraPanels = {
    downloads: { title: 'tb_downloads', render: (body) => renderDownloads(app, body) },
    changes: { title: 'tb_changes', ...createChanges(app) },
  };
  initOffline(app);
  app.panels = createPanels(app);
  const configPromise = loadConfig();
  let manifest;
  try {
    manifest = await loadManifest(app.state.release);
  } catch (error) {
    showLoadError(error);
    app.map.setView([16, 106], 6);
    document.documentElement.dataset.ready = 'error';
    return;
  }
  app.manifest = manifest;
  setTimeZone((manifest.profile && manifest.profile.timezone) || 'Asia/Ho_Chi_Minh');
  for (const d of (manifest.profile && manifest.profile.districts) || []) app.districts.set(d.code, d.name);
  renderChrome();
  const layersLoaded = loadLayers(manifest); // the legend rows exist now: the view avoids them
  initialView(manifest);
  addReference(app, manifest);
  await layersLoaded;
  for (const entry of app.layers.values()) if (entry.tileLayer) applyFilterToLayer(entry);
  app.refresh({ announce: false });
  configPromise.then((config) => addBasemap(app, config));
  // on a phone the legend spans the bottom: the scale bar goes to the top
  const narrow = window.matchMedia('(max-width: 719px)').matches;
  control.scale({ imperial: false, position: narrow ? 'topright' : 'bottomright' }).addTo(app.map);
  updateZoneMarkers();
  if (app.state.badRelease) showLoadError({ status: 404 });
  app.panels.restore();
  document.documentElement.dataset.ready = '1';
  registerWorker();
}

start();
