// Epidemic levels by area (Resolution 128 / Decision 2686): a choropleth of
// the units' levels under the points, the level number drawn on each unit
// (colour is never the only signal), the legend with what each level means,
// the popup with the unit's level, since when and its history, the line in
// "near me" and the counts per level in the statistics. Colours, meanings
// and schemes come from the manifest (the model), never from this file.
//
// A record is in force on a day when effective_from <= day <= effective_until
// (no end: until a new decision). "Today" is the province's today, or, when
// an earlier release is shown, the day that release's data was current.

import { el, svg } from './dom.js';
import { formatDate } from './format.js';
import { lang, pick } from './i18n.js';
import { containsPoint } from './geo.js';

const WORDS = {
  vi: {
    level: 'Cấp {n}',
    since: 'từ {d}',
    until: 'đến {d}',
    your_commune: 'Xã của bạn',
    your_district: 'Huyện của bạn',
    history: 'Lịch sử cấp độ',
    upcoming: 'Sắp áp dụng',
    decision: 'Quyết định',
    authority: 'Cơ quan ban hành',
    measures: 'Biện pháp áp dụng',
    units_by_level: 'Số đơn vị theo cấp độ dịch',
    col_level: 'Cấp độ',
    col_units: 'Đơn vị',
    none: 'Chưa công bố cấp độ',
    total: 'Tổng',
  },
  en: {
    level: 'Level {n}',
    since: 'from {d}',
    until: 'until {d}',
    your_commune: 'Your commune',
    your_district: 'Your district',
    history: 'Level history',
    upcoming: 'Announced for later',
    decision: 'Decision',
    authority: 'Issued by',
    measures: 'Measures in force',
    units_by_level: 'Units by epidemic level',
    col_level: 'Level',
    col_units: 'Units',
    none: 'No level announced',
    total: 'Total',
  },
};

function w(key, params) {
  const text = (WORDS[lang()] || WORDS.vi)[key] || key;
  return params ? text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : text;
}

export function isLevels(meta) {
  return Boolean(meta && meta.levels && meta.levels.schemes);
}

/** The levels layer's entry of the app, if the release has one. */
export function levelsEntry(app) {
  for (const entry of app.layers.values()) if (isLevels(entry.meta)) return entry;
  return null;
}

/** yyyy-mm-dd of "today" in the province (or the shown release's day). */
export function referenceDay(app) {
  const m = app.manifest;
  const when = app.state.release && m ? new Date(m.data_updated_at || m.created_at) : new Date();
  const tz = (m && m.profile && m.profile.timezone) || 'Asia/Ho_Chi_Minh';
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(when);
  } catch {
    return when.toISOString().slice(0, 10);
  }
}

const day = (value) => (typeof value === 'string' ? value.slice(0, 10) : '');

export function inForce(props, today) {
  const from = day(props.effective_from);
  const until = day(props.effective_until);
  return Boolean(from) && from <= today && (!until || today <= until);
}

/** The level's description from the manifest: colour, text colour, meaning. */
export function levelInfo(meta, props) {
  const schemes = meta.levels.schemes;
  const scheme = schemes[props.scheme] || schemes[meta.levels.default_scheme] || {};
  return (scheme.levels || {})[String(props.level)] || null;
}

/** "Cấp 3 — nguy cơ cao" */
export function levelLabel(meta, props) {
  const info = levelInfo(meta, props);
  const head = w('level', { n: props.level });
  return info ? `${head} — ${pick(info.meaning)}` : head;
}

/** "Cấp 3 — nguy cơ cao, từ 12/10/2021" (and "đến ..." when it ends). */
export function levelSentence(meta, props) {
  let text = `${levelLabel(meta, props)}, ${w('since', { d: formatDate(props.effective_from) })}`;
  if (props.effective_until) text += ` ${w('until', { d: formatDate(props.effective_until) })}`;
  return text;
}

/** Close in, the fill lightens so the streets under it stay readable (the
 * number on the unit still says the level). */
export function fillOpacityAt(zoom) {
  if (zoom >= 14) return 0.14;
  if (zoom >= 12) return 0.25;
  return 0.5;
}

export function levelStyle(meta, props, zoom = 0) {
  const info = levelInfo(meta, props);
  const color = info ? info.color : '#999999';
  return { color: '#ffffff', weight: 1.2, fillColor: color, fillOpacity: fillOpacityAt(zoom) };
}

/** After a zoom: the fill opacity of every drawn unit. */
export function restyleLevels(app) {
  const entry = levelsEntry(app);
  if (!entry || !entry.leaflet) return;
  const opacity = fillOpacityAt(app.map.getZoom());
  for (const layer of entry.leaflet.values()) layer.setStyle({ fillOpacity: opacity });
}

/** The level number on the unit: a badge in the level's colour. */
export function levelBadge(meta, props) {
  const info = levelInfo(meta, props);
  const badge = el('span', { class: 'level-badge', dataset: { level: String(props.level) } }, String(props.level ?? '?'));
  if (info) {
    badge.style.background = info.color;
    badge.style.color = info.text_color;
  }
  return badge;
}

/** A legend chip: the level's colour with its number on it. */
export function levelChip(info, number) {
  const box = svg('svg', { width: 22, height: 18, viewBox: '0 0 22 18', 'aria-hidden': 'true', class: 'swatch level-chip', focusable: 'false' });
  box.append(svg('rect', { x: 1, y: 1, width: 20, height: 16, rx: 3, fill: info.color, stroke: '#555555', 'stroke-width': 1 }));
  const text = svg('text', { x: 11, y: 13, 'text-anchor': 'middle', 'font-size': 12, 'font-weight': 700, fill: info.text_color });
  text.textContent = String(number);
  box.append(text);
  return box;
}

/** The four-colour swatch of the layer's legend row. */
export function layerSwatch(meta) {
  const scheme = meta.levels.schemes[meta.levels.default_scheme] || {};
  const box = svg('svg', { width: 18, height: 18, viewBox: '0 0 18 18', 'aria-hidden': 'true', class: 'swatch', focusable: 'false' });
  Object.values(scheme.levels || {}).slice(0, 4).forEach((info, i) => {
    box.append(svg('rect', { x: 1 + (i % 2) * 8, y: 1 + Math.floor(i / 2) * 8, width: 8, height: 8, fill: info.color }));
  });
  return box;
}

/** The records in force per unit code on ``today`` (latest start wins). */
export function currentByUnit(features, today) {
  const out = new Map();
  for (const f of features || []) {
    const p = f.properties;
    if (!inForce(p, today)) continue;
    const seen = out.get(p.unit_code);
    if (!seen || day(seen.properties.effective_from) < day(p.effective_from)) out.set(p.unit_code, f);
  }
  return out;
}

export function countsByLevel(features, today) {
  const counts = new Map();
  for (const f of currentByUnit(features, today).values()) {
    const n = String(f.properties.level);
    counts.set(n, (counts.get(n) || 0) + 1);
  }
  return counts;
}

/** Legend: what each level means, with how many units are at it now. */
export function levelsLegend(app, entry) {
  const { meta } = entry;
  const scheme = meta.levels.schemes[meta.levels.default_scheme] || {};
  const counts = countsByLevel(entry.features, referenceDay(app));
  const list = el('ul', { class: 'legend-levels', dataset: { layer: meta.id } });
  for (const [number, info] of Object.entries(scheme.levels || {})) {
    // a phone shows one row of chips with a word each ("3 cao"); the full
    // meaning is there for screen readers and on wider screens
    list.append(el('li', { dataset: { level: number } },
      levelChip(info, number),
      el('span', { class: 'level-long' }, el('span', { class: 'sr-only' }, `${w('level', { n: number })} — `), pick(info.meaning)),
      el('span', { class: 'level-short', 'aria-hidden': 'true' }, pick(info.short || info.meaning)),
      el('span', { class: 'legend-count' }, entry.features ? `(${counts.get(number) || 0})` : '')));
  }
  return list;
}

/** The unit's records, oldest first: its history. */
export function unitHistory(features, unitCode) {
  return (features || []).filter((f) => f.properties.unit_code === unitCode)
    .sort((a, b) => day(a.properties.effective_from).localeCompare(day(b.properties.effective_from)));
}

function row(label, value) {
  return [el('dt', null, label), el('dd', null, value)];
}

/** The popup of a unit: its level now, the decision, the measures, the history. */
export function levelPopup(app, meta, feature) {
  const p = feature.properties || {};
  const entry = app.layers.get(meta.id);
  const today = referenceDay(app);
  const history = unitHistory(entry && entry.features, p.unit_code);
  const items = history.map((f) => {
    const q = f.properties;
    const current = f === feature;
    const later = day(q.effective_from) > today;
    const period = q.effective_until
      ? `${formatDate(q.effective_from)} – ${formatDate(q.effective_until)}`
      : `${w('since', { d: formatDate(q.effective_from) })}`;
    return el('li', { class: current ? 'is-current' : null, dataset: { level: String(q.level) } },
      levelBadge(meta, q), ' ', el('span', null, `${period}: ${levelLabel(meta, q)}`),
      later ? el('em', null, ` (${w('upcoming')})`) : '',
      q.decision_no ? el('span', { class: 'level-decision' }, ` · ${String(q.decision_no).slice(0, 80)}`) : '');
  });
  const fields = [
    p.decision_no ? row(w('decision'), String(p.decision_no).slice(0, 80)) : [],
    p.issuing_authority ? row(w('authority'), String(p.issuing_authority).slice(0, 200)) : [],
    p.measures ? row(w('measures'), String(p.measures).slice(0, 600)) : [],
  ].flat();
  return el('article', { class: 'popup popup-level', dataset: { layer: meta.id, uid: String(feature.id ?? p.uid ?? ''), level: String(p.level) } },
    el('h2', { class: 'popup-title', tabindex: '-1' }, String(p.name || p.unit_code || '').slice(0, 200)),
    el('p', { class: 'popup-kind level-now' },
      levelBadge(meta, p), el('span', { class: 'level-sentence' }, levelSentence(meta, p))),
    el('dl', { class: 'popup-fields' }, fields),
    history.length > 1 ? el('section', { class: 'level-history' },
      el('h3', null, w('history')), el('ol', null, items)) : null);
}

/** The unit at a position and its level now: the "near me" sentence
 * "Xã của bạn: cấp 3 — nguy cơ cao, từ 12/10/2021" (null when none). */
export function levelAt(app, lon, lat) {
  const entry = levelsEntry(app);
  if (!entry || !entry.features) return null;
  const current = [...currentByUnit(entry.features, referenceDay(app)).values()];
  // a commune is more precise than its district: prefer it
  current.sort((a, b) => (a.properties.unit_kind === 'commune' ? -1 : 0) - (b.properties.unit_kind === 'commune' ? -1 : 0));
  const hit = current.find((f) => containsPoint(f.geometry, lon, lat));
  if (!hit) return null;
  const p = hit.properties;
  const who = p.unit_kind === 'commune' ? w('your_commune') : w('your_district');
  const sentence = levelSentence(entry.meta, p);
  return el('p', { class: 'alert level-here', id: 'nearme-level', dataset: { level: String(p.level) } },
    levelBadge(entry.meta, p), ' ',
    `${who} (${String(p.name || '').slice(0, 120)}): ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`);
}

/** Statistics: units per level now. */
export function levelsStats(app) {
  const entry = levelsEntry(app);
  if (!entry || !entry.features || !entry.features.length) return null;
  const { meta } = entry;
  const scheme = meta.levels.schemes[meta.levels.default_scheme] || {};
  const counts = countsByLevel(entry.features, referenceDay(app));
  const rows = Object.entries(scheme.levels || {}).map(([number, info]) => el('tr', { dataset: { level: number } },
    el('th', { scope: 'row' }, levelChip(info, number), ` ${w('level', { n: number })} — ${pick(info.meaning)}`),
    el('td', { class: 'num' }, String(counts.get(number) || 0))));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return el('table', { class: 'stats-table', id: 'stats-levels' },
    el('caption', null, w('units_by_level')),
    el('thead', null, el('tr', null, el('th', { scope: 'col' }, w('col_level')), el('th', { scope: 'col', class: 'num' }, w('col_units')))),
    el('tbody', null, rows),
    el('tfoot', null, el('tr', null, el('th', { scope: 'row' }, w('total')), el('td', { class: 'num' }, String(total)))));
}
