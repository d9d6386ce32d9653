import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFiltered, matches, visibleCount } from '../src/filters.js';
import { createState } from '../src/state.js';
import { feature, layer } from './model.mjs';

const market = { name: 'Chợ Mới', address: 'Thị trấn Đồng Tâm', status: 'active', district_code: '065' };

test('search is accent-insensitive, every word must match, over the hinted fields', () => {
  const meta = layer('risk_points');
  const state = createState();
  state.query = 'cho moi';
  assert.ok(matches(state, meta, market, { feature: feature('a', market) }));
  state.query = 'dong tam';
  assert.ok(matches(state, meta, market));
  state.query = 'moi bac';
  assert.ok(!matches(state, meta, market));
  state.query = 'active'; // a status is not searched
  assert.ok(!matches(state, meta, market));
});

test('hidden layer, hidden status and district filters', () => {
  const meta = layer('risk_points');
  const state = createState();
  assert.ok(matches(state, meta, market));
  state.district = '064';
  assert.ok(!matches(state, meta, market));
  state.district = '065';
  assert.ok(matches(state, meta, market));
  state.hiddenStatuses.add('risk_points:active');
  assert.ok(!matches(state, meta, market));
  assert.ok(isFiltered(state, 'risk_points'));
  assert.ok(!isFiltered(createState(), 'risk_points'));
  const off = createState();
  off.hiddenLayers.add('risk_points');
  assert.ok(!matches(off, meta, market));
});

test('a record not in force is filtered out by the caller\'s test', () => {
  const meta = layer('epidemic_levels');
  const state = createState();
  assert.ok(!matches(state, meta, { status: 'announced' }, { inForce: () => false }));
  assert.ok(matches(state, meta, { status: 'announced' }, { inForce: () => true }));
});

test('the count of a tiled layer is its feature count until a filter needs its features', () => {
  const meta = { ...layer('risk_points'), feature_count: 100000 };
  const entry = { meta, features: null };
  const state = createState();
  assert.equal(visibleCount(state, entry, []), 100000);
  state.query = 'cho';
  assert.equal(visibleCount(state, entry, []), null);
  state.hiddenLayers.add('risk_points');
  assert.equal(visibleCount(state, entry, []), 0);
  assert.equal(visibleCount(createState(), { meta, features: [1, 2, 3] }, [1]), 1);
});
