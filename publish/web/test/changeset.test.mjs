import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffLayer, featureName, summaryText } from '../src/changeset.js';
import { setLang } from '../src/i18n.js';
import { feature, layer, olderFormat } from './model.mjs';

// setLang stores the choice; node has no page to store it in
globalThis.localStorage = { setItem() {}, getItem() { return null; } };
globalThis.document = { documentElement: {} };

test('added, changed and removed features, by id', () => {
  const meta = layer('risk_points');
  const before = [feature('a', { name: 'A' }), feature('b', { name: 'B' }), feature('c', { name: 'C' })];
  const after = [feature('a', { name: 'A' }), feature('b', { name: 'B2' }), feature('d', { name: 'D' })];
  const d = diffLayer(meta, before, after);
  assert.deepEqual([d.added, d.changed, d.removed].map((l) => l.map((f) => f.id)), [['d'], ['b'], ['c']]);
  assert.equal(featureName(meta, after[1]), 'B2');
  assert.equal(featureName(meta, feature('x', {})), 'x');
});

test('the summary names each layer with the model\'s noun and its removal word', () => {
  setLang('vi');
  const points = diffLayer(layer('risk_points'), [], [feature('a', {}), feature('b', {}), feature('c', {})]);
  const zones = diffLayer(layer('isolation_zones'), [feature('z', {})], []);
  assert.equal(summaryText([points, zones]), '+3 điểm nguy cơ, 1 vùng cách ly được dỡ bỏ');
  setLang('en');
  assert.equal(summaryText([points, zones]), '+3 risk points, 1 isolation zone lifted');
  const one = diffLayer(layer('checkpoints'), [feature('k', { name: 'K' })], [feature('k', { name: 'K2' })]);
  assert.equal(summaryText([one]), '1 checkpoint updated');
  setLang('vi');
});

test('a release without hints words the summary with the layer title', () => {
  setLang('vi');
  const d = diffLayer(olderFormat('risk_points'), [feature('a', {})], []);
  assert.equal(summaryText([d]), '1 điểm có nguy cơ lây nhiễm cao đã gỡ');
  assert.equal(summaryText([diffLayer(layer('risk_points'), [], [])]), '');
});
