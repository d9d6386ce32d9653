// The manifest entries of the layers as the model produces them today,
// written by tests/web/test_map_generic.py (COVIDMAPS_LAYERS_JSON), or by
// `make test` in publish/web. Each call returns a fresh copy (the map
// caches its hints on the entry).

import { readFileSync } from 'node:fs';

const path = process.env.COVIDMAPS_LAYERS_JSON;
if (!path) throw new Error('COVIDMAPS_LAYERS_JSON names the model layers file (run `make test` in publish/web)');
const LAYERS = JSON.parse(readFileSync(path, 'utf8'));

export function layer(id) {
  const meta = LAYERS.find((m) => m.id === id);
  if (!meta) throw new Error(`no layer ${id} in the model`);
  return structuredClone(meta);
}

export function layers() {
  return structuredClone(LAYERS);
}

/** The same entry as a release written before display hints existed. */
export function olderFormat(id) {
  const meta = layer(id);
  delete meta.display;
  if (meta.levels) delete meta.levels.fields;
  return meta;
}

export function feature(id, properties, geometry = { type: 'Point', coordinates: [105.8, 22.1] }) {
  return { type: 'Feature', id, geometry, properties };
}
