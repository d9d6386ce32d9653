// The map itself: Leaflet's map and panes, the initial view, each layer's
// features drawn (points, areas, small zones' frames, epidemic levels), the
// filters applied to them and a feature's popup.

import { byId } from './dom.js';
import { writeUrl } from './state.js';
import {
  Canvas, GeoJSON, LayerGroup, LeafletMap, Popup, ShapeMarker, latLng, latLngBounds,
} from './leaflet.js';
import { popupContent } from './popup.js';
import {
  ZONE_MIN_PX, ageOf, areaOptions, hasAge, isArea, pointOptions, zoneMarkerOptions,
} from './symbols.js';
import { anchorOf } from './geo.js';
import { showTiled, tapTiled } from './tiles.js';
import { isLevels, levelBadge, levelPopup, levelStyle, restyleLevels } from './levels.js';

/**
 * store: store.js (used: state, layers, lookups, matches; map, popup,
 * renderers, returnFocus and focusPopup are set here);
 * renderLegend(): redraw the legend (a tiled layer's counts become known).
 */
export function createMapView(store, { renderLegend }) {
  let drawnMarked = false;

  function markDrawn() {
    if (drawnMarked) return;
    drawnMarked = true;
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
    // hide them (the labels let taps through to the markers underneath).
    // A tiled layer's points (a hundred thousand, clustered) lie under the
    // other layers' few symbols: a quarantine facility or a checkpoint is
    // never hidden by a cluster drawn over it.
    for (const [name, z] of [['referencePane', 300], ['areasPane', 400], ['tiledPointsPane', 500],
      ['pointsPane', 600], ['labelsPane', 640]]) {
      map.createPane(name).style.zIndex = String(z);
    }
    map.getPane('labelsPane').style.pointerEvents = 'none';
    // Zones and points share one canvas: Leaflet hands a tap only to the
    // topmost canvas, so zones on a canvas of their own under the points could
    // never be tapped. Zones are kept at the back of it (bringToBack), points
    // drawn and hit first.
    const features = new Canvas({ pane: 'pointsPane', tolerance: 8 });
    store.renderers = {
      areas: features,
      points: features,
      reference: new Canvas({ pane: 'referencePane' }),
    };
    // the popup is panned clear of the zoom buttons (top left), so its title
    // is never under them on a phone
    store.popup = new Popup({
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
      if (title && store.focusPopup) title.focus({ preventScroll: true });
      store.focusPopup = false;
    });
    map.on('popupclose', () => {
      if (store.returnFocus && document.contains(store.returnFocus)) store.returnFocus.focus();
      store.returnFocus = null;
    });
    map.on('moveend', () => {
      const c = map.getCenter();
      store.state.center = [c.lat, c.lng];
      store.state.zoom = map.getZoom();
      writeUrl(store.state);
    });
    map.on('click', (e) => onMapClick(e.latlng));
    map.on('zoomend', () => {
      updateZoneMarkers();
      restyleLevels(store);
    });
    // Escape closes a popup wherever the focus is inside the map (Leaflet
    // only listens while the map container itself has the focus)
    map.getContainer().addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && store.popup.isOpen()) {
        e.stopPropagation();
        map.closePopup();
      }
    });
    store.map = map;
    return map;
  }

  function initialView(manifest) {
    const s = store.state;
    if (s.center && s.zoom != null) {
      store.map.setView(s.center, s.zoom);
      return;
    }
    const profile = manifest.profile || {};
    const bbox = profile.bbox;
    if (Array.isArray(bbox) && bbox.length === 4) {
      store.map.invalidateSize(); // banners above the map may have changed its height
      store.map.fitBounds(latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]), legendPadding());
    } else if (profile.initial_view) {
      const [lon, lat] = profile.initial_view.center;
      store.map.setView([lat, lon], profile.initial_view.zoom || 9);
    } else {
      store.map.setView([16, 106], 6);
    }
  }

  /** Fit options that keep the province clear of the legend: under it on a
   * phone (the legend spans the bottom), beside it on a wider screen. */
  function legendPadding() {
    const legend = byId('legend').getBoundingClientRect();
    const map = store.map.getContainer().getBoundingClientRect();
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
        style: () => ({ ...levelStyle(meta, props, store.map.getZoom()), renderer: store.renderers.areas }),
      })
        .bindTooltip(levelBadge(meta, props), {
          permanent: true, direction: 'center', className: 'level-label', interactive: false,
          pane: 'labelsPane', offset: [0, 18],
        });
    }
    if (isArea(meta)) {
      return new GeoJSON(feature, {
        style: () => ({ ...areaOptions(meta, props.status), renderer: store.renderers.areas }),
      });
    }
    const [lon, lat] = feature.geometry.coordinates;
    const age = hasAge(meta) ? ageOf(meta, props) : 'fresh';
    return new ShapeMarker([lat, lon], { ...pointOptions(meta, props.status, age), renderer: store.renderers.points });
  }

  /** A ring at a zone's centre, shown while the zone itself is smaller than
   * ZONE_MIN_PX on screen: every zone is visible at the province's zoom. */
  function zoneMarkerFor(meta, feature) {
    const anchor = anchorOf(feature.geometry);
    if (!anchor) return null;
    return new ShapeMarker([anchor[1], anchor[0]], {
      ...zoneMarkerOptions(meta, feature.properties.status), renderer: store.renderers.areas,
    });
  }

  function zoneIsSmall(layer) {
    const b = layer.getBounds();
    const a = store.map.latLngToContainerPoint(b.getSouthWest());
    const c = store.map.latLngToContainerPoint(b.getNorthEast());
    return Math.max(Math.abs(c.x - a.x), Math.abs(c.y - a.y)) < ZONE_MIN_PX;
  }

  function updateZoneMarkers() {
    for (const entry of store.layers.values()) {
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
    entry.group = new LayerGroup().addTo(store.map);
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
      showTiled(store, entry, renderLegend);
      return;
    }
    if (!entry.group) return;
    for (const [feature, layer] of entry.leaflet) {
      const show = store.matches(entry.meta.id, feature.properties, feature);
      if (show && !entry.group.hasLayer(layer)) {
        entry.group.addLayer(layer);
        if (entry.markers || isLevels(entry.meta)) layer.bringToBack(); // areas under the points
      } else if (!show && entry.group.hasLayer(layer)) entry.group.removeLayer(layer);
    }
    if (entry.markers) updateZoneMarkers();
  }

  async function onMapClick(latlng) {
    // taps on vector-tile layers (GeoJSON layers handle their own clicks)
    for (const entry of [...store.layers.values()].reverse()) {
      if (!entry.tileLayer || !store.map.hasLayer(entry.tileLayer)) continue;
      if (await tapTiled(store, entry, latlng)) return;
    }
  }

  /** Show a feature's popup; from the list, also move the map and the focus. */
  function openFeature(layerId, feature, { latlng, fromList, returnFocus } = {}) {
    const entry = store.layers.get(layerId);
    if (!entry || !feature) return;
    let where = latlng;
    if (!where) {
      const layer = entry.leaflet && entry.leaflet.get(feature);
      if (layer && layer.getBounds) {
        const b = layer.getBounds();
        store.map.fitBounds(b, { maxZoom: 15, padding: [24, 24], animate: false });
        where = b.getCenter();
      } else if (feature.geometry.type === 'Point') {
        const [lon, lat] = feature.geometry.coordinates;
        where = latLng(lat, lon);
        store.map.setView(where, Math.max(store.map.getZoom(), 13), { animate: false });
      } else {
        const b = new GeoJSON(feature).getBounds();
        store.map.fitBounds(b, { maxZoom: 15, animate: false });
        where = b.getCenter();
      }
    }
    store.returnFocus = returnFocus || null;
    store.focusPopup = Boolean(fromList);
    const content = isLevels(entry.meta) ? levelPopup(store, entry.meta, feature)
      : popupContent(entry.meta, feature, store.lookups);
    store.popup.setLatLng(where).setContent(content).openOn(store.map);
  }

  return { createMap, initialView, drawLayer, applyFilterToLayer, updateZoneMarkers, openFeature, markDrawn };
}
