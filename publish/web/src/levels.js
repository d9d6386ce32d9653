// Epidemic levels by area (Resolution 128 / Decision 2686): a choropleth of
// the units' levels under the points, the level number drawn on each unit
// (colour is never the only signal), the legend with what each level means,
// the popup with the unit's level, since when and its history, the line in
// "near me" and the counts per level in the statistics. Colours, meanings
// and schemes come from the manifest (the model), never from this file;
// so do the fields, by role (levels.fields: level, unit, from, until...).
//
// A record is in force on a day when from <= day <= until (no end: until a
// new decision). "Today" is the province's today, or, when
// an earlier release is shown, the day that release's data was current.

import { el, svg } from './dom.js';
import { formatDate } from './format.js';
import { lang, pick } from './i18n.js';
import { containsPoint } from './geo.js';
import { idOf } from './hints.js';

const WORDS = {
  vi: {
    level_n: 'Cấp {n}',
    since: 'từ {d}',
    until: 'đến {d}',
    your_commune: 'Xã của bạn',
    your_district: 'Huyện của bạn',
    history: 'Lịch sử cấp độ',
    upcoming: 'Sắp áp dụng',
    decision: 'Quyết định',
    authority: 'Cơ quan ban hành',
    actions: 'Biện pháp áp dụng',
    units_by_level: 'Số đơn vị theo cấp độ dịch',
    col_level: 'Cấp độ',
    col_units: 'Đơn vị',
    none: 'Chưa công bố cấp độ',
    total: 'Tổng',
  },
  en: {
    level_n: 'Level {n}',
    since: 'from {d}',
    until: 'until {d}',
    your_commune: 'Your commune',
    your_district: 'Your district',
    history: 'Level history',
    upcoming: 'Announced for later',
    decision: 'Decision',
    authority: 'Issued by',
    actions: 'Measures in force',
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

/** An epidemic-levels layer: its manifest entry says which field holds
 * what (levels.fields). A release written before that member existed has
 * no roles to read: its levels layer is drawn as an ordinary area layer. */
export function isLevels(meta) {
  return Boolean(meta && meta.levels && meta.levels.schemes && meta.levels.fields);
}

/** A record's values by role (level, scheme, unit, kind, from, until,
 * decision, authority, actions, name), read through levels.fields. */
export function record(meta, props) {
  const roles = (meta && meta.levels && meta.levels.fields) || {};
  const p = props || {};
  const out = {};
  for (const [role, field] of Object.entries(roles)) out[role] = p[field] ?? null;
  return out;
}

function isCommune(meta, r) {
  return r.kind != null && r.kind === meta.levels.commune_kind;
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

export function inForce(meta, props, today) {
  const r = record(meta, props);
  const from = day(r.from);
  const until = day(r.until);
  return Boolean(from) && from <= today && (!until || today <= until);
}

/** The level's description from the manifest: colour, text colour, meaning. */
export function levelInfo(meta, props) {
  const r = record(meta, props);
  const schemes = meta.levels.schemes;
  const scheme = schemes[r.scheme] || schemes[meta.levels.default_scheme] || {};
  return (scheme.levels || {})[String(r.level)] || null;
}

/** "Cấp 3 — nguy cơ cao" */
export function levelLabel(meta, props) {
  const info = levelInfo(meta, props);
  const head = w('level_n', { n: record(meta, props).level });
  return info ? `${head} — ${pick(info.meaning)}` : head;
}

/** "Cấp 3 — nguy cơ cao, từ 12/10/2021" (and "đến ..." when it ends). */
export function levelSentence(meta, props) {
  const r = record(meta, props);
  let text = `${levelLabel(meta, props)}, ${w('since', { d: formatDate(r.from) })}`;
  if (r.until) text += ` ${w('until', { d: formatDate(r.until) })}`;
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
  const { level } = record(meta, props);
  const badge = el('span', { class: 'level-badge', dataset: { level: String(level) } }, String(level ?? '?'));
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
export function currentByUnit(meta, features, today) {
  const out = new Map();
  for (const f of features || []) {
    if (!inForce(meta, f.properties, today)) continue;
    const r = record(meta, f.properties);
    const seen = out.get(r.unit);
    if (!seen || day(record(meta, seen.properties).from) < day(r.from)) out.set(r.unit, f);
  }
  return out;
}

export function countsByLevel(meta, features, today) {
  const counts = new Map();
  for (const f of currentByUnit(meta, features, today).values()) {
    const n = String(record(meta, f.properties).level);
    counts.set(n, (counts.get(n) || 0) + 1);
  }
  return counts;
}

/** Legend: what each level means, with how many units are at it now. */
export function levelsLegend(app, entry) {
  const { meta } = entry;
  const scheme = meta.levels.schemes[meta.levels.default_scheme] || {};
  const counts = countsByLevel(meta, entry.features, referenceDay(app));
  const list = el('ul', { class: 'legend-levels', dataset: { layer: meta.id } });
  for (const [number, info] of Object.entries(scheme.levels || {})) {
    // a phone shows one row of chips with a word each ("3 cao"); the full
    // meaning is there for screen readers and on wider screens
    list.append(el('li', { dataset: { level: number } },
      levelChip(info, number),
      el('span', { class: 'level-long' }, el('span', { class: 'sr-only' }, `${w('level_n', { n: number })} — `), pick(info.meaning)),
      el('span', { class: 'level-short', 'aria-hidden': 'true' }, pick(info.short || info.meaning)),
      el('span', { class: 'legend-count' }, entry.features ? `(${counts.get(number) || 0})` : '')));
  }
  return list;
}

/** The unit's records, oldest first: its history. */
export function unitHistory(meta, features, unitCode) {
  const from = (f) => day(record(meta, f.properties).from);
  return (features || []).filter((f) => record(meta, f.properties).unit === unitCode)
    .sort((a, b) => from(a).localeCompare(from(b)));
}

function row(label, value) {
  return [el('dt', null, label), el('dd', null, value)];
}

/** The popup of a unit: its level now, the decision, the measures in force, the history. */
export function levelPopup(app, meta, feature) {
  const p = feature.properties || {};
  const r = record(meta, p);
  const entry = app.layers.get(meta.id);
  const today = referenceDay(app);
  const history = unitHistory(meta, entry && entry.features, r.unit);
  const items = history.map((f) => {
    const q = f.properties;
    const rq = record(meta, q);
    const current = f === feature;
    const later = day(rq.from) > today;
    const period = rq.until
      ? `${formatDate(rq.from)} – ${formatDate(rq.until)}`
      : `${w('since', { d: formatDate(rq.from) })}`;
    return el('li', { class: current ? 'is-current' : null, dataset: { level: String(rq.level) } },
      levelBadge(meta, q), ' ', el('span', null, `${period}: ${levelLabel(meta, q)}`),
      later ? el('em', null, ` (${w('upcoming')})`) : '',
      rq.decision ? el('span', { class: 'level-decision' }, ` · ${String(rq.decision).slice(0, 80)}`) : '');
  });
  const fields = [
    r.decision ? row(w('decision'), String(r.decision).slice(0, 80)) : [],
    r.authority ? row(w('authority'), String(r.authority).slice(0, 200)) : [],
    r.actions ? row(w('actions'), String(r.actions).slice(0, 600)) : [],
  ].flat();
  return el('article', { class: 'popup popup-level', dataset: { layer: meta.id, uid: idOf(meta, feature), level: String(r.level) } },
    el('h2', { class: 'popup-title', tabindex: '-1' }, String(r.name || r.unit || '').slice(0, 200)),
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
  const { meta } = entry;
  const current = [...currentByUnit(meta, entry.features, referenceDay(app)).values()];
  // a commune is more precise than its district: prefer it
  const rank = (f) => (isCommune(meta, record(meta, f.properties)) ? -1 : 0);
  current.sort((a, b) => rank(a) - rank(b));
  const hit = current.find((f) => containsPoint(f.geometry, lon, lat));
  if (!hit) return null;
  const p = hit.properties;
  const r = record(meta, p);
  const who = isCommune(meta, r) ? w('your_commune') : w('your_district');
  const sentence = levelSentence(meta, p);
  return el('p', { class: 'alert level-here', id: 'nearme-level', dataset: { level: String(r.level) } },
    levelBadge(meta, p), ' ',
    `${who} (${String(r.name || '').slice(0, 120)}): ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`);
}

/** Statistics: units per level now. */
export function levelsStats(app) {
  const entry = levelsEntry(app);
  if (!entry || !entry.features || !entry.features.length) return null;
  const { meta } = entry;
  const scheme = meta.levels.schemes[meta.levels.default_scheme] || {};
  const counts = countsByLevel(meta, entry.features, referenceDay(app));
  const rows = Object.entries(scheme.levels || {}).map(([number, info]) => el('tr', { dataset: { level: number } },
    el('th', { scope: 'row' }, levelChip(info, number), ` ${w('level_n', { n: number })} — ${pick(info.meaning)}`),
    el('td', { class: 'num' }, String(counts.get(number) || 0))));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return el('table', { class: 'stats-table', id: 'stats-levels' },
    el('caption', null, w('units_by_level')),
    el('thead', null, el('tr', null, el('th', { scope: 'col' }, w('col_level')), el('th', { scope: 'col', class: 'num' }, w('col_units')))),
    el('tbody', null, rows),
    el('tfoot', null, el('tr', null, el('th', { scope: 'row' }, w('total')), el('td', { class: 'num' }, String(total)))));
}
