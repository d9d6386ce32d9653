// The map's backdrop: the basemap of config.json (drawn after the first
// features, dropped with a note when its tiles cannot load, switchable off by
// the reader) and the province and district outlines of the release, with
// the legend's attribution and its "approximate boundaries" note.

import { basemapOf, loadBlob } from './data.js';
import { byId, clear, el, svg } from './dom.js';
import { t } from './i18n.js';
import { GeoJSON, TileLayer } from './leaflet.js';
import { writeUrl } from './state.js';

const REFERENCE_STYLE = {
  province: { color: '#333333', weight: 2.5, fill: true, fillColor: '#f3f1ea', fillOpacity: 0.9 },
  districts: { color: '#7a7a7a', weight: 1, dashArray: '4 3', fill: false },
};
// over a basemap the province is only outlined, so its streets show through
const OVER_BASEMAP = {
  province: { color: '#333333', weight: 3, fill: false },
  districts: { color: '#4a4a4a', weight: 1.5, dashArray: '6 4', fill: false },
};

/** The basemap of config.json, drawn after the first features (never
 * before them). When its tiles cannot load, it goes away and the page says
 * so: the province outlines remain, as without a basemap. */
export function addBasemap(app, config) {
  app.basemap = basemapOf(config);
  if (app.basemap && !app.state.basemapOff) showBasemap(app);
  else app.basemapState = app.basemap ? 'off' : 'none';
  document.documentElement.dataset.basemap = app.basemapState;
  renderAttribution(app);
  app.panels.update();
}

function showBasemap(app) {
  // The page sends no Referer, but tile servers' usage policies (e.g.
  // OpenStreetMap's) ask for one: tiles send the site's origin only, never
  // the path with the reader's view.
  const layer = new TileLayer(app.basemap.url, {
    maxZoom: app.basemap.maxZoom, crossOrigin: true, pane: 'tilePane',
    referrerPolicy: 'strict-origin-when-cross-origin',
  });
  let loaded = 0;
  let failed = 0;
  layer.on('tileload', () => {
    loaded += 1;
    if (app.basemapState !== 'on') {
      app.basemapState = 'on';
      document.documentElement.dataset.basemap = 'on';
      styleReference(app);
      renderAttribution(app);
    }
  });
  layer.on('tileerror', () => {
    failed += 1;
    // a few missing tiles are the server's holes; none at all is an outage
    if (!loaded && failed >= 2) dropBasemap(app, 'failed');
  });
  app.basemapLayer = layer.addTo(app.map);
  app.basemapState = 'loading';
  document.documentElement.dataset.basemap = 'loading';
}

function dropBasemap(app, state) {
  if (app.basemapLayer) app.map.removeLayer(app.basemapLayer);
  app.basemapLayer = null;
  app.basemapState = state;
  document.documentElement.dataset.basemap = state;
  styleReference(app);
  renderAttribution(app);
}

export function setBasemap(app, on) {
  app.state.basemapOff = !on;
  writeUrl(app.state);
  if (!app.basemap) return;
  if (on && !app.basemapLayer) showBasemap(app);
  else if (!on) dropBasemap(app, 'off');
  renderAttribution(app);
}

function styleReference(app) {
  const over = app.basemapState === 'on';
  for (const [id, layer] of app.reference) {
    const style = (over ? OVER_BASEMAP : REFERENCE_STYLE)[id] || (over ? OVER_BASEMAP : REFERENCE_STYLE).districts;
    layer.setStyle(style);
  }
}

export function renderAttribution(app) {
  renderBoundaryNote(app);
  if (app.basemap === undefined) return; // config.json not read yet
  const node = clear(byId('attribution'));
  if (app.basemap && app.basemapState !== 'failed' && app.basemapState !== 'off') {
    const b = app.basemap;
    node.append(b.attributionUrl
      ? el('a', { href: b.attributionUrl, target: '_blank', rel: 'noopener noreferrer' }, b.attribution)
      : b.attribution);
  } else {
    node.append(app.basemapState === 'failed' ? t('basemap_failed') : t('basemap_none'));
  }
}

/** "Approximate boundaries" while the release's district polygons are not
 * the province's official ones (the manifest's reference accuracy). */
function renderBoundaryNote(app) {
  const note = byId('boundary-note');
  const districts = app.manifest && (app.manifest.reference || []).find((r) => r && r.id === 'districts');
  const approximate = Boolean(districts && districts.accuracy !== 'official');
  note.hidden = !approximate;
  note.dataset.accuracy = districts ? String(districts.accuracy || 'unknown') : 'none';
  clear(note);
  if (approximate) {
    note.append(boundarySwatch(), el('span', null, t('boundaries_approx')));
  }
}

function boundarySwatch() {
  const box = svg('svg', { width: 18, height: 8, viewBox: '0 0 18 8', 'aria-hidden': 'true', class: 'swatch', focusable: 'false' });
  box.append(svg('line', { x1: 1, y1: 4, x2: 17, y2: 4, stroke: '#4a4a4a', 'stroke-width': 1.5, 'stroke-dasharray': '4 3' }));
  return box;
}

export function addReference(app, manifest) {
  for (const ref of manifest.reference || []) {
    if (!ref || !ref.blob) continue;
    loadBlob(ref.blob).then((features) => {
      const styles = app.basemapState === 'on' ? OVER_BASEMAP : REFERENCE_STYLE;
      const style = styles[ref.id] || styles.districts;
      const layer = new GeoJSON({ type: 'FeatureCollection', features }, {
        style: () => ({ ...style, renderer: app.renderers.reference }),
        interactive: false,
        onEachFeature: (feature, layer) => {
          const name = feature.properties && feature.properties.name;
          if (ref.id !== 'districts' || !name) return;
          layer.bindTooltip(el('span', null, String(name)), {
            permanent: true, direction: 'center', className: 'district-label', interactive: false,
            pane: 'labelsPane',
          });
        },
      }).addTo(app.map);
      app.reference.set(ref.id, layer);
    }).catch(() => {});
  }
}

