// Which features pass the reader's filters (hidden layers and statuses,
// district, search words). Pure: everything it needs is a parameter, so it
// is unit-tested under node (test/filters.test.mjs).

import { searchKey } from './format.js';
import { districtOf, searchText } from './hints.js';

/** The normalised search text of a feature (cached on it). */
export function featureKey(meta, feature) {
  if (feature._key == null) feature._key = searchKey(searchText(meta, feature.properties || {}));
  return feature._key;
}

/** Does a feature pass the filters?
 * state: {hiddenLayers, hiddenStatuses, district, query};
 * inForce(props): false for an epidemic-level record not in force (the
 * caller decides; null when the layer has no dates that matter);
 * feature: given when there is one (its search key is cached), null for a
 * tile's properties. */
export function matches(state, meta, props, { feature = null, inForce = null } = {}) {
  const layerId = meta.id;
  if (state.hiddenLayers.has(layerId)) return false;
  if (inForce && !inForce(props)) return false;
  if (state.hiddenStatuses.has(`${layerId}:${props.status}`)) return false;
  if (state.district && districtOf(meta, props) !== state.district) return false;
  if (state.query) {
    const key = feature ? featureKey(meta, feature) : searchKey(searchText(meta, props));
    return searchKey(state.query).split(' ').every((word) => key.includes(word));
  }
  return true;
}

/** Whether any filter other than hiding the whole layer applies to it. */
export function isFiltered(state, layerId) {
  return Boolean(state.district || state.query
    || [...state.hiddenStatuses].some((k) => k.startsWith(`${layerId}:`)));
}

/** How many features of a layer pass the filters. A layer whose features
 * are not loaded (a tiled layer): its feature count while no filter applies
 * to it, else null (unknown until the blob comes). */
export function visibleCount(state, entry, visible) {
  if (!entry) return 0;
  if (entry.features) return visible.length;
  if (state.hiddenLayers.has(entry.meta.id)) return 0;
  return isFiltered(state, entry.meta.id) ? null : (entry.meta.feature_count ?? 0);
}
