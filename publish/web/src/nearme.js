// "Near me": with the citizen's permission, the features of the layers the
// model marks for it (display hints: risk points and isolation zones) within
// a chosen distance, nearest first, and whether they stand inside an area. The position is used here only: it never goes into a
// request, the URL or storage, and the map view does not move to it unless
// asked (a tile basemap would otherwise fetch tiles around it).

import { el } from './dom.js';
import { formatDistance } from './format.js';
import { pick, t } from './i18n.js';
import { ShapeMarker, circle } from './leaflet.js';
import { statusLabel } from './popup.js';
import { containsPoint, distanceTo } from './geo.js';
import { isArea, swatch } from './symbols.js';
import { levelAt, levelsEntry } from './levels.js';
import { hintsOf, titleOf } from './hints.js';

const RADII_KM = [1, 2, 5, 10];

export function createNearMe(app) {
  let radiusKm = 2;
  let position = null; // {lon, lat, accuracy}: memory only
  let message = '';
  let marker = null;
  let ring = null;

  function nearby() {
    const out = [];
    const inside = [];
    // the layers the model marks for "near me" (display hints: near_me)
    for (const entry of app.layers.values()) {
      if (!hintsOf(entry.meta).near_me || !entry.features) continue;
      for (const feature of entry.features) {
        const d = distanceTo(feature.geometry, position.lon, position.lat);
        if (isArea(entry.meta) && containsPoint(feature.geometry, position.lon, position.lat)) {
          inside.push({ meta: entry.meta, feature });
        }
        if (d <= radiusKm * 1000) out.push({ meta: entry.meta, feature, d });
      }
    }
    out.sort((a, b) => a.d - b.d);
    return { out, inside };
  }

  function drawOnMap() {
    const latlng = [position.lat, position.lon];
    if (!marker) {
      marker = new ShapeMarker(latlng, {
        radius: 8, color: '#ffffff', weight: 3, fillColor: '#1a73e8', fillOpacity: 1,
        renderer: app.renderers.points, interactive: false,
      }).addTo(app.map);
      ring = circle(latlng, { radius: radiusKm * 1000, color: '#1a73e8', weight: 1.5, fill: false, interactive: false, renderer: app.renderers.points }).addTo(app.map);
    }
    marker.setLatLng(latlng);
    ring.setLatLng(latlng).setRadius(radiusKm * 1000);
  }

  function results(body) {
    const { out, inside } = nearby();
    const r = formatDistance(radiusKm * 1000);
    const zoneNames = inside.map(({ meta, feature }) => titleOf(meta, feature.properties) || pick(meta.title)).join('; ');
    const level = levelAt(app, position.lon, position.lat); // "Xã của bạn: cấp 3 — ..."
    if (level) body.append(level);
    body.append(inside.length
      ? el('p', { class: 'alert alert-danger', id: 'nearme-zone', tabindex: '-1', dataset: { inside: '1' } },
        t('inside_zone', { names: zoneNames }))
      : el('p', { class: 'alert alert-ok', id: 'nearme-zone', tabindex: '-1', dataset: { inside: '0' } },
        t('not_inside_zone')));
    const summary = out.length ? t('nearby_count', { n: out.length, r }) : t('nearby_none', { r });
    body.append(el('p', { class: 'nearme-summary' }, summary));
    app.announce(`${level ? `${level.textContent} ` : ''}${inside.length ? t('inside_zone', { names: zoneNames }) : t('not_inside_zone')} ${summary}`);
    const list = el('ol', { class: 'nearme-list', id: 'nearme-list' });
    for (const { meta, feature, d } of out) {
      const button = el('button', { type: 'button', class: 'linklike' }, titleOf(meta, feature.properties) || pick(meta.title));
      button.addEventListener('click', () => {
        if (window.matchMedia('(max-width: 719px)').matches) app.panels.close();
        app.openFeature(meta.id, feature, { fromList: true, returnFocus: button.isConnected ? button : null });
      });
      list.append(el('li', { dataset: { layer: meta.id, distance: String(Math.round(d)) } },
        swatch(meta, feature.properties.status),
        el('span', { class: 'nearme-item' }, button,
          el('span', { class: 'nearme-meta' },
            `${d === 0 ? t('inside') : formatDistance(d)} · ${pick(meta.title)} · ${statusLabel(meta, feature.properties.status)}`))));
    }
    body.append(list);
    const show = el('button', { type: 'button', class: 'button-secondary' }, t('show_my_location'));
    show.addEventListener('click', () => {
      if (window.matchMedia('(max-width: 719px)').matches) app.panels.close();
      app.map.fitBounds(ring.getBounds(), { maxZoom: 16 });
    });
    body.append(show);
  }

  function render(body) {
    body.append(el('p', { class: 'hint' }, t('nearme_intro')));
    const select = el('select', { id: 'nearme-radius' },
      RADII_KM.map((km) => el('option', { value: String(km) }, formatDistance(km * 1000))));
    select.value = String(radiusKm);
    select.addEventListener('change', () => {
      radiusKm = Number(select.value);
      if (position) {
        drawOnMap();
        app.panels.rerender();
        document.getElementById('nearme-radius')?.focus();
      }
    });
    const locate = el('button', { type: 'button', class: 'button-primary', id: 'nearme-locate' }, t('locate'));
    locate.addEventListener('click', locateMe);
    body.append(el('div', { class: 'nearme-controls' },
      el('label', { for: 'nearme-radius' }, t('radius')), select, locate));
    const out = el('div', { id: 'nearme-results', class: 'nearme-results' });
    body.append(out);
    if (message) out.append(el('p', { class: 'alert alert-warn', role: 'alert' }, message));
    else if (position) results(out);
  }

  function locateMe() {
    if (!navigator.geolocation) {
      message = t('geo_unsupported');
      app.panels.rerender();
      return;
    }
    app.announce(t('locating'));
    const levels = levelsEntry(app);
    const wanted = [...app.layers.values()].filter((e) => hintsOf(e.meta).near_me).map((e) => e.meta.id);
    if (levels) wanted.push(levels.meta.id);
    Promise.all(wanted.map((id) => app.ensureFeatures(id).catch(() => []))).then(() => {
      navigator.geolocation.getCurrentPosition((pos) => {
        position = { lon: pos.coords.longitude, lat: pos.coords.latitude };
        message = '';
        drawOnMap();
        if (app.state.panel === 'nearme') {
          app.panels.rerender();
          document.getElementById('nearme-zone')?.focus();
        }
      }, (error) => {
        message = error.code === 1 ? t('geo_denied') : t('geo_unavailable');
        if (app.state.panel === 'nearme') app.panels.rerender();
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  return { render };
}
