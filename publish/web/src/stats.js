// Statistics of the whole release (not the filters): features per layer and
// district, derived figures (quarantine capacity and free places), changes since the previous
// release, and which release this is (with a link to the one before).

import { el } from './dom.js';
import { formatDateTime, formatNumber } from './format.js';
import { pick, t } from './i18n.js';
import { swatch } from './symbols.js';
import { derivedValue, districtOf, hintsOf } from './hints.js';
import { isLevels, levelsStats } from './levels.js';

/** headers: text, or nodes (a layer's symbol with its title for screen readers) */
function table(captionText, headers, rows, footer) {
  return el('table', { class: 'stats-table' },
    el('caption', null, captionText),
    el('thead', null, el('tr', null, headers.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null }, h)))),
    el('tbody', null, rows.map((r) => el('tr', null, el('th', { scope: 'row' }, r[0]),
      r.slice(1).map((v) => el('td', { class: 'num' }, formatNumber(v)))))),
    footer ? el('tfoot', null, el('tr', null, el('th', { scope: 'row' }, footer[0]),
      footer.slice(1).map((v) => el('td', { class: 'num' }, formatNumber(v))))) : null);
}

function districtRows(app, layers) {
  const codes = [...app.districts.keys()];
  const extra = new Set();
  for (const { meta, features } of layers) {
    for (const f of features || []) {
      const code = districtOf(meta, f.properties);
      if (!app.districts.has(code)) extra.add(code);
    }
  }
  const rows = [...codes, ...extra].map((code) => [
    app.districts.get(code) || t('unknown_district'),
    ...layers.map(({ meta, features }) => (features || []).filter((f) => districtOf(meta, f.properties) === code).length),
  ]);
  const total = [t('total'), ...layers.map(({ features }) => (features || []).length)];
  return { rows, total };
}

/** Per district: the two figures of each derived figure (capacity,
 * occupancy) and the figure itself (free places), for every layer that has
 * one in its display hints. */
function derivedTables(app) {
  const tables = [];
  for (const entry of app.layers.values()) {
    if (!entry.features) continue;
    const fields = new Map((entry.meta.fields || []).map((f) => [f.name, f]));
    for (const figure of hintsOf(entry.meta).derived) {
      const sums = new Map();
      for (const f of entry.features) {
        const p = f.properties;
        const key = districtOf(entry.meta, p);
        const s = sums.get(key) || [0, 0, 0];
        s[0] += Number(p[figure.total]) || 0;
        s[1] += Number(p[figure.used]) || 0;
        s[2] += derivedValue(figure, p) || 0;
        sums.set(key, s);
      }
      const rows = [...sums].map(([code, s]) => [app.districts.get(code) || t('unknown_district'), ...s]);
      const total = rows.reduce((acc, r) => [acc[0], acc[1] + r[1], acc[2] + r[2], acc[3] + r[3]], [t('total'), 0, 0, 0]);
      const label = (name) => pick(fields.get(name)?.label) || name;
      tables.push(table(pick(entry.meta.title),
        [t('col_district'), label(figure.total), label(figure.used), pick(figure.label)], rows, total));
    }
  }
  return tables;
}

function releaseBlock(app) {
  const m = app.manifest;
  const block = el('div', { class: 'release-info' },
    el('p', null, t('release_info', { id: m.release_id, time: formatDateTime(m.created_at) })));
  if (m.parent_id) {
    const params = new URLSearchParams(window.location.search);
    params.set('release', m.parent_id);
    block.append(el('p', null, el('a', { href: `?${params}`, id: 'previous-release' }, t('previous_release'))));
  }
  const changes = m.changes && typeof m.changes === 'object' ? m.changes : null;
  if (changes) {
    const list = el('ul', { class: 'changes' });
    for (const { meta } of app.layers.values()) {
      const c = changes[meta.id];
      if (!c) continue;
      list.append(el('li', null, `${pick(meta.title)}: `, t('changes_line', {
        added: formatNumber(c.added || 0), removed: formatNumber(c.removed || 0), changed: formatNumber(c.changed || 0),
      })));
    }
    if (list.childElementCount) block.prepend(el('h3', null, t('changes_title')), list);
  }
  return block;
}

/** A compact column header: the layer's legend symbol; its title is read
 * by screen readers and shown on hover. */
function layerHeader(app, { meta }) {
  const title = pick(meta.title);
  return el('span', { title, class: 'layer-head' },
    swatch(meta, app.layerStatus(meta)), el('span', { class: 'sr-only' }, title));
}

export function renderStats(app, body) {
  const holder = el('div', { class: 'stats', id: 'stats' }, el('p', { class: 'hint' }, t('loading')));
  body.append(holder);
  app.ensureAll().then(() => {
    if (!holder.isConnected) return;
    // levels have their own table (units per level): records are not features to count
    const layers = [...app.layers.values()].filter((entry) => !isLevels(entry.meta));
    const { rows, total } = districtRows(app, layers);
    holder.replaceChildren(
      table(t('stats_by_district'), [t('col_district'), ...layers.map((entry) => layerHeader(app, entry))], rows, total),
      ...derivedTables(app),
      levelsStats(app) || '',
      releaseBlock(app),
    );
  });
}
