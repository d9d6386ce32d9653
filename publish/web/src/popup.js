// The content of a feature's popup, built with DOM text APIs only. Which
// fields and in which order come from the manifest's summary_fields; labels
// and value labels from its fields; what is special about a field from the
// layer's display hints (hints.js).

import { el } from './dom.js';
import { clip, formatDate, formatDateTime, formatNumber, telLink } from './format.js';
import { pick, t } from './i18n.js';
import { swatch } from './symbols.js';
import {
  derivedAfter, derivedValue, districtOf, hintsOf, idOf, isPhoneField, rangeOf, titleOf,
} from './hints.js';

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
  // a value that is another layer's feature id (a checkpoint's zone): its title
  if (field.value_source && lookups.featureTitle) {
    const title = lookups.featureTitle(field.value_source, value);
    if (title !== undefined) return title;
  }
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

function row(label, valueNode) {
  return [el('dt', null, label), el('dd', null, valueNode)];
}

function phoneNode(text) {
  const link = telLink(clip(text, 60));
  if (!link) return clip(text, 60);
  return [el('a', { href: link.href, 'aria-label': t('phone_call', { phone: link.number }) }, link.number),
    link.rest];
}

/** Rows of the popup: label/value pairs in summary_fields order, with a
 * date window on one line, phone fields as links and derived figures (free
 * places) after the fields they come from: all from the layer's hints. */
function rows(meta, props, lookups) {
  const out = [];
  const title = hintsOf(meta).title_field;
  const names = (meta.summary_fields || []).filter((n) => n !== title);
  const fields = fieldIndex(meta);
  const label = (name) => pick(fields.get(name)?.label) || name;
  for (const name of names) {
    const range = rangeOf(meta, name);
    if (range && names.includes(range.from) && names.includes(range.to)) {
      if (name === range.from) {
        const from = formatDateTime(props[range.from]);
        const to = formatDateTime(props[range.to]);
        if (from || to) out.push(row(pick(range.label) || label(name), `${from} – ${to}`));
      }
    } else if (isPhoneField(meta, name)) {
      if (props[name]) out.push(row(label(name), phoneNode(props[name])));
    } else {
      const value = displayValue(meta, name, props[name], lookups);
      if (value != null) out.push(row(label(name), value));
    }
    for (const figure of derivedAfter(meta, name)) {
      const value = derivedValue(figure, props);
      if (value != null) out.push(row(pick(figure.label), el('strong', null, formatNumber(value))));
    }
  }
  const district = lookups.districtName(districtOf(meta, props));
  if (district) out.push(row(t('popup_district'), district));
  return out.flat();
}

export function popupContent(meta, feature, lookups) {
  const props = feature.properties || {};
  const name = clip(titleOf(meta, props) || pick(meta.title), 200);
  return el(
    'article', { class: 'popup', dataset: { layer: meta.id, uid: idOf(meta, feature) } },
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
