// The legend: per layer its symbol, title and count of features passing
// the filters, its statuses, the age scale and the epidemic levels.

import { byId, clear, el } from './dom.js';
import { pick, t } from './i18n.js';
import { ageDays, hasAge, layerStatus, presentStatuses, swatch } from './symbols.js';
import { isLevels, layerSwatch, levelsLegend } from './levels.js';

/** The two-step age scale of a layer with an age hint. */
function ageScale(entry) {
  const { meta } = entry;
  if (!hasAge(meta)) return null; // drawn before the features arrive: the legend keeps its size
  const status = layerStatus(meta, entry.features);
  const d = ageDays(meta);
  return el('ul', { class: 'legend-age', dataset: { layer: meta.id } },
    el('li', { dataset: { age: 'fresh' } }, swatch(meta, status, 'fresh'), el('span', null, t('age_fresh', { d }))),
    el('li', { dataset: { age: 'old' } }, swatch(meta, status, 'old'), el('span', null, t('age_old', { d }))));
}

/** Draw the legend of `store.layers` (store: store.js; used: layers, state,
 * visibleFeatures, and the store itself for the levels' legend). */
export function renderLegend(store) {
  const list = clear(byId('legend-list'));
  byId('legend-title').textContent = t('legend');
  for (const entry of store.layers.values()) {
    const { meta } = entry;
    const count = entry.features ? store.visibleFeatures(meta.id).length : (meta.feature_count ?? 0);
    const statuses = el('ul', { class: 'legend-statuses' });
    for (const status of presentStatuses(meta, entry.features)) {
      statuses.append(el('li', { dataset: { status } }, swatch(meta, status), el('span', null, pick(meta.status[status]))));
    }
    const off = store.state.hiddenLayers.has(meta.id);
    list.append(el(
      'li', { class: `legend-layer${off ? ' is-off' : ''}`, dataset: { layer: meta.id } },
      el('span', { class: 'legend-row' },
        isLevels(meta) ? layerSwatch(meta) : swatch(meta, layerStatus(meta, entry.features)),
        el('span', { class: 'legend-name' }, pick(meta.title)),
        el('span', { class: 'legend-count', dataset: { count: String(count) } },
          entry.status === 'error' ? `(${t('layer_failed')})` : `(${count})`)),
      ageScale(entry),
      // drawn from the manifest's count before the features arrive, so the
      // first view already keeps the province clear of the legend's height
      isLevels(meta) && (entry.features ? entry.features.length : meta.feature_count) > 0
        ? levelsLegend(store, entry) : null,
      !isLevels(meta) && statuses.childElementCount > 1 ? statuses : null,
    ));
  }
}
