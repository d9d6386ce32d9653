// The content of a feature's popup, built with DOM text APIs only. Which
// fields and in which order come from the manifest's summary_fields; labels
// and value labels from its fields.

import { el } from './dom.js';
import { clip, formatDate, formatDateTime, formatNumber, telLink } from './format.js';
import { pick, t } from './i18n.js';
import { swatch } from './symbols.js';

export function fieldIndex(meta) {
  if (!meta._fields) meta._fields = new Map((meta.fields || []).map((f) => [f.name, f]));
  return meta._fields;
}

/** A field's value as text for people (null when empty). */
export function displayValue(meta, name, value, lookups) {
  if (value == null || value === '') return null;
  const field = fieldIndex(meta).get(name) || { type: 'string' };
  if (field.values && Object.prototype.hasOwnProperty.call(field.values, value)) {
    return pick(field.values[value]);
  }
  if (field.value_source === 'districts') return lookups.districtName(value);
  if (field.value_source === 'isolation_zones') return lookups.zoneName(value);
  switch (field.type) {
    case 'boolean': return value === true || value === 'true' ? t('yes') : t('no');
    case 'integer':
    case 'real': return formatNumber(value);
    case 'date': return formatDate(value);
    case 'datetime': return formatDateTime(value);
    case 'uuid': return null;
    default: return clip(value);
  }
}

export function statusLabel(meta, status) {
  return pick((meta.status || {})[status]) || String(status ?? '');
}

export function freePlaces(props) {
  const cap = Number(props.capacity);
  const occ = Number(props.occupancy ?? 0);
  if (props.capacity == null || !Number.isFinite(cap) || !Number.isFinite(occ)) return null;
  return Math.max(0, cap - occ);
}

function row(label, valueNode) {
  return [el('dt', null, label), el('dd', null, valueNode)];
}

function phoneNode(text) {
  const link = telLink(clip(text, 60));
  if (!link) return clip(text, 60);
  return [el('a', { href: link.href, 'aria-label': t('phone_call', { phone: link.number }) }, link.number),
    link.rest];
}

/** Rows of the popup: label/value pairs in summary_fields order, with the
 * exposure window on one line and free places beside capacity. */
function rows(meta, props, lookups) {
  const out = [];
  const names = (meta.summary_fields || []).filter((n) => n !== 'name');
  const fields = fieldIndex(meta);
  for (const name of names) {
    if (name === 'exposure_end' && names.includes('exposure_start')) continue;
    if (name === 'exposure_start') {
      const from = formatDateTime(props.exposure_start);
      const to = formatDateTime(props.exposure_end);
      if (from || to) out.push(row(t('exposure'), `${from} – ${to}`));
      continue;
    }
    if (name === 'duty_phone') {
      if (props.duty_phone) out.push(row(pick(fields.get(name)?.label) || name, phoneNode(props.duty_phone)));
      continue;
    }
    const value = displayValue(meta, name, props[name], lookups);
    if (value != null) out.push(row(pick(fields.get(name)?.label) || name, value));
    if (name === 'occupancy' || (name === 'capacity' && !names.includes('occupancy'))) {
      const free = freePlaces(props);
      if (free != null) out.push(row(t('free_places'), el('strong', null, formatNumber(free))));
    }
  }
  const district = lookups.districtName(props.district_code);
  if (district) out.push(row(t('popup_district'), district));
  return out.flat();
}

export function popupContent(meta, feature, lookups) {
  const props = feature.properties || {};
  const name = clip(props.name || pick(meta.title), 200);
  return el(
    'article', { class: 'popup', dataset: { layer: meta.id, uid: String(feature.id ?? props.uid ?? '') } },
    el('h2', { class: 'popup-title', tabindex: '-1' }, name),
    el(
      'p', { class: 'popup-kind' },
      swatch(meta, props.status),
      el('span', null, pick(meta.title)),
      el('span', { class: 'status-badge' }, statusLabel(meta, props.status)),
    ),
    el('dl', { class: 'popup-fields' }, rows(meta, props, lookups)),
  );
}
