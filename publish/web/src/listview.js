// The list view: every layer as a real table (caption, column headers, row
// headers), filtered like the map. A name is a button that shows the
// feature on the map and moves the focus to its popup.

import { el } from './dom.js';
import { formatNumber } from './format.js';
import { pick, t } from './i18n.js';
import { displayValue, statusLabel } from './popup.js';
import { swatch } from './symbols.js';
import { derivedValue, districtOf, hintsOf, idOf, titleOf } from './hints.js';

const PAGE = 100;

/** The detail column: a derived figure ("Free places: 12/50") if the layer
 * has one, else its first detail field with a value (hints.js). */
function detailOf(meta, props, lookups) {
  const hints = hintsOf(meta);
  for (const figure of hints.derived) {
    const value = derivedValue(figure, props);
    if (value != null) return `${pick(figure.label)}: ${formatNumber(value)}/${formatNumber(props[figure.total])}`;
  }
  for (const name of hints.detail_fields) {
    const value = displayValue(meta, name, props[name], lookups);
    if (value) return value;
  }
  return '';
}

function layerTable(app, meta, features, limit) {
  const caption = el('caption', { class: 'sr-only' }, pick(meta.title));
  const head = el('thead', null, el('tr', null,
    ['col_name', 'col_district', 'col_status', 'col_detail'].map((k) => el('th', { scope: 'col' }, t(k)))));
  const rows = el('tbody');
  for (const feature of features.slice(0, limit)) {
    const p = feature.properties;
    const button = el('button', { type: 'button', class: 'linklike', dataset: { uid: idOf(meta, feature) } },
      titleOf(meta, p) || pick(meta.title));
    button.addEventListener('click', () => {
      if (window.matchMedia('(max-width: 719px)').matches) app.panels.close();
      app.openFeature(meta.id, feature, { fromList: true, returnFocus: button.isConnected ? button : null });
    });
    rows.append(el('tr', null,
      el('th', { scope: 'row' }, button),
      el('td', null, app.lookups.districtName(districtOf(meta, p)) || ''),
      el('td', null, el('span', { class: 'status-cell' }, swatch(meta, p.status), statusLabel(meta, p.status))),
      el('td', null, detailOf(meta, p, app.lookups))));
  }
  return el('table', { class: 'feature-table' }, caption, head, rows);
}

function layerSection(app, meta, features) {
  const headingId = `list-${meta.id}`;
  const section = el('section', { class: 'list-layer', 'aria-labelledby': headingId, dataset: { layer: meta.id } },
    el('h3', { id: headingId }, swatch(meta, app.layerStatus(meta)),
      `${pick(meta.title)} `, el('span', { class: 'list-count' }, `(${features.length})`)));
  let limit = PAGE;
  const draw = () => {
    section.querySelector('table')?.remove();
    section.querySelector('.show-more')?.remove();
    if (!features.length) return;
    section.append(layerTable(app, meta, features, limit));
    if (features.length > limit) {
      const more = el('button', { type: 'button', class: 'show-more button-secondary' },
        t('show_more', { n: Math.min(PAGE, features.length - limit) }));
      more.addEventListener('click', () => {
        limit += PAGE;
        draw();
        section.querySelectorAll('tbody tr')[limit - PAGE]?.querySelector('button')?.focus();
      });
      section.append(more);
    }
  };
  draw();
  return section;
}

export function renderList(app, body) {
  body.append(el('p', { class: 'hint' }, t('list_hint')));
  const holder = el('div', { class: 'list-layers' });
  body.append(holder);
  for (const { meta, features } of app.layers.values()) {
    if (app.state.hiddenLayers.has(meta.id)) continue;
    if (!features) {
      // a tiled layer: its GeoJSON blob is loaded now, then the list redraws
      const placeholder = el('p', { class: 'hint' }, `${pick(meta.title)}: ${t('loading')}`);
      holder.append(placeholder);
      app.ensureFeatures(meta.id).then(() => app.state.panel === 'list' && app.panels.rerender()).catch(() => {});
      continue;
    }
    holder.append(layerSection(app, meta, app.visibleFeatures(meta.id)));
  }
}
