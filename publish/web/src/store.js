// The one shared object of the map: what was loaded, what the reader chose,
// and the few services the feature modules (panels, list, near me,
// statistics, changes, downloads, offline, tiles, levels) call. Every member
// is declared here and the object is sealed: a module cannot add a member
// the others then depend on without it being written down here.

/**
 * @param {object} state the reader's choices (state.js: filters, view, panel, language)
 */
export function createStore(state) {
  return Object.seal({
    // ---- data
    state,
    manifest: null,
    layers: new Map(), // id -> {meta, features, status: 'loading'|'ready'|'error'|'tiled', ...}
    districts: new Map(), // code -> name (the profile's districts)
    reference: new Map(), // reference id -> its Leaflet layer (backdrop.js)
    // ---- the map and its parts (mapview.js)
    map: null,
    popup: null,
    renderers: null,
    returnFocus: null,
    focusPopup: false,
    // ---- basemap (backdrop.js)
    basemap: null,
    basemapLayer: null,
    basemapState: null,
    setBasemap: null,
    // ---- panels (panels.js) and the panels of open data (main.js)
    panels: null,
    extraPanels: null,
    changes: null, // what changed, for the legend and tests (changes.js)
    // ---- services (filters: main.js over filters.js; the map: mapview.js)
    matches: null, // (layerId, props, feature) -> bool
    visibleFeatures: null, // (layerId) -> features passing the filters
    visibleCount: null, // (layerId) -> number, or null while unknown
    lookups: null, // {districtName(code), featureTitle(layerId, id)}
    layerStatus: null, // (meta) -> the status its legend symbol shows
    openFeature: null, // (layerId, feature, {latlng, fromList, returnFocus})
    refresh: null, // ({announce}) after a filter changed
    announce: null, // (text) to screen readers
    ensureFeatures: null, // (layerId) -> Promise of its features (loads a tiled layer's blob)
    ensureAll: null, // () -> Promise of every layer's features
  });
}
