// What the map does with a layer's fields, from the manifest's `display`
// member (the model's display hints, docs/release-format.md). This file and
// every other one name no field of the model: a release is drawn from what
// its manifest says.
//
// A release written before the hints existed (no `display`, or a version
// this map does not know) gets hints derived from what every manifest has:
// the title is the first summary field, search reads the summary's free-text
// fields, the district filter uses the field whose values are districts.
// "Near me" then looks at every layer but the epidemic levels; phone links,
// one-line date windows, derived figures and the age scale are left out
// (the plain values are still shown).

const KNOWN_VERSION = 1;

function fieldsOf(meta) {
  return (meta && meta.fields) || [];
}

/** The hints a manifest without `display` implies. */
export function fallbackHints(meta) {
  const fields = new Map(fieldsOf(meta).map((f) => [f.name, f]));
  const summary = ((meta && meta.summary_fields) || []).filter((n) => fields.has(n));
  const isText = (n) => fields.get(n).type === 'string' && !fields.get(n).values && !fields.get(n).value_source;
  const title = summary.find(isText) || null;
  const district = fieldsOf(meta).find((f) => f.value_source === 'districts');
  return {
    version: 0,
    id_field: null,
    title_field: title,
    district_field: district ? district.name : null,
    search_fields: summary.filter(isText),
    detail_fields: summary.filter((n) => isText(n) && n !== title).slice(0, 1),
    phone_fields: [],
    // every layer but the epidemic levels (which have their own line)
    near_me: Boolean(meta) && !meta.levels,
    ranges: [],
    derived: [],
  };
}

/** The layer's display hints (cached on the manifest entry). */
export function hintsOf(meta) {
  if (!meta) return fallbackHints(null);
  if (!meta._hints) {
    const d = meta.display;
    meta._hints = d && typeof d === 'object' && d.version === KNOWN_VERSION
      ? { ...fallbackHints(meta), ...d }
      : fallbackHints(meta);
  }
  return meta._hints;
}

/** A feature's title: its title field, else null (callers show the layer's title). */
export function titleOf(meta, props) {
  const name = hintsOf(meta).title_field;
  const value = name && props ? props[name] : null;
  return value == null || value === '' ? null : String(value);
}

/** A feature's public id: the GeoJSON id, else its id field. */
export function idOf(meta, feature) {
  if (feature && feature.id != null) return String(feature.id);
  const name = hintsOf(meta).id_field;
  const props = (feature && feature.properties) || {};
  return name && props[name] != null ? String(props[name]) : '';
}

/** The district code a feature belongs to (null when the layer has none). */
export function districtOf(meta, props) {
  const name = hintsOf(meta).district_field;
  return name && props ? (props[name] ?? null) : null;
}

/** The text search reads, joined (not yet normalised). */
export function searchText(meta, props) {
  if (!props) return '';
  return hintsOf(meta).search_fields.map((n) => props[n]).filter((v) => v != null && v !== '').join(' ');
}

export function isPhoneField(meta, name) {
  return hintsOf(meta).phone_fields.includes(name);
}

/** The date window that starts or ends with this field, or null. */
export function rangeOf(meta, name) {
  return hintsOf(meta).ranges.find((r) => r.from === name || r.to === name) || null;
}

/** Derived figures shown after `name` (after the last of their two fields
 * that the summary lists). */
export function derivedAfter(meta, name) {
  const summary = (meta && meta.summary_fields) || [];
  return hintsOf(meta).derived.filter((d) => {
    const last = summary.includes(d.used) ? d.used : d.total;
    return last === name;
  });
}

/** A derived figure's value for a feature, or null. */
export function derivedValue(figure, props) {
  if (!figure || !props || figure.kind !== 'difference') return null;
  if (props[figure.total] == null) return null;
  const total = Number(props[figure.total]);
  const used = Number(props[figure.used] ?? 0);
  if (!Number.isFinite(total) || !Number.isFinite(used)) return null;
  return Math.max(0, total - used);
}

/** The age scale of a layer ({field, days}) or null. */
export function ageHint(meta) {
  const age = hintsOf(meta).age;
  return age && age.field && Number(age.days) > 0 ? age : null;
}
