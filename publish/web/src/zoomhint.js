// A dense layer published as vector tiles may only have tiles from a zoom
// above the province's first view, and below it draws nothing. Its legend
// row then says so and offers to zoom in, so an empty map is not read as
// "there are no risk points".

import { el } from './dom.js';
import { pick, t } from './i18n.js';

/** The zoom a layer needs before it draws, or null when it draws now (or
 * is not tiled, or is switched off). */
function zoomNeeded(entry, map, hidden) {
  if (!entry.tileLayer || hidden || entry.tileLayer.drawsAt(map.getZoom())) return null;
  return entry.meta.tiles.minzoom;
}

function hintFor(entry, minzoom, map) {
  const title = pick(entry.meta.title);
  const button = el('button', { type: 'button', class: 'legend-zoom-button',
    // the accessible name starts with the visible text (WCAG 2.5.3)
    'aria-label': t('zoom_in_label', { layer: title }) }, t('zoom_in'));
  button.addEventListener('click', () => {
    map.setZoom(minzoom); // keeps the centre
    // the button goes away with the hint: keep the keyboard focus on the map
    map.getContainer().focus({ preventScroll: true });
  });
  return el('p', { class: 'legend-zoom', dataset: { minzoom: String(minzoom) } },
    el('span', null, t('zoom_hint')), ' ', button);
}

/**
 * Add or remove the zoom-in hint of each tiled layer's legend row (rows are
 * `#legend-list > li[data-layer]`); a hint still needed is left as it is,
 * so a focused button survives a zoom step. Returns the layers whose hint
 * was not shown on the previous call, for announcing after a zoom change.
 */
export function renderZoomHints(app) {
  const appeared = [];
  const shown = new Set();
  for (const entry of app.layers.values()) {
    if (!entry.tileLayer) continue;
    const row = document.querySelector(`#legend-list > li[data-layer="${CSS.escape(entry.meta.id)}"]`);
    if (!row) continue;
    const old = row.querySelector('.legend-zoom');
    const minzoom = zoomNeeded(entry, app.map, app.state.hiddenLayers.has(entry.meta.id));
    if (minzoom == null) {
      if (old) old.remove();
      continue;
    }
    shown.add(entry.meta.id);
    if (!app.zoomHinted.has(entry.meta.id)) appeared.push(entry);
    if (!old) row.querySelector('.legend-row').after(hintFor(entry, minzoom, app.map));
  }
  app.zoomHinted = shown;
  return appeared;
}

/** The polite announcement of hints that appeared after a zoom change. */
export function zoomHintMessage(appeared) {
  return appeared.map((entry) => `${pick(entry.meta.title)}: ${t('zoom_hint')}`).join(' ');
}
