import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countsByLevel, currentByUnit, fillOpacityAt, inForce, isLevels, levelInfo, levelLabel, levelSentence,
  record, unitHistory,
} from '../src/levels.js';
import { feature, layer, olderFormat } from './model.mjs';

// records are written with the model's field names, read back by role
function rec(meta, id, roles) {
  const props = { status: 'announced' };
  for (const [role, value] of Object.entries(roles)) props[meta.levels.fields[role]] = value;
  return feature(id, props, null);
}

test('the levels layer is known by its roles; an older release without them is an ordinary layer', () => {
  assert.ok(isLevels(layer('epidemic_levels')));
  assert.ok(!isLevels(olderFormat('epidemic_levels')));
  assert.ok(!isLevels(layer('risk_points')));
});

test('a record is in force from its first to its last day, open-ended without an end', () => {
  const meta = layer('epidemic_levels');
  const r = rec(meta, 'a', { from: '2021-10-12', until: '2021-10-20', level: 3 }).properties;
  assert.ok(!inForce(meta, r, '2021-10-11'));
  assert.ok(inForce(meta, r, '2021-10-12'));
  assert.ok(inForce(meta, r, '2021-10-20'));
  assert.ok(!inForce(meta, r, '2021-10-21'));
  const open = rec(meta, 'b', { from: '2021-10-12', level: 2 }).properties;
  assert.ok(inForce(meta, open, '2030-01-01'));
  assert.equal(record(meta, open).level, 2);
});

test('per unit the latest record in force wins; counts and history follow', () => {
  const meta = layer('epidemic_levels');
  const features = [
    rec(meta, 'old', { unit: '064', from: '2021-10-01', level: 2 }),
    rec(meta, 'new', { unit: '064', from: '2021-10-10', level: 3 }),
    rec(meta, 'other', { unit: '065', from: '2021-10-01', until: '2021-10-05', level: 4 }),
    rec(meta, 'later', { unit: '066', from: '2021-11-01', level: 1 }),
  ];
  const now = currentByUnit(meta, features, '2021-10-12');
  assert.deepEqual([...now.keys()], ['064']);
  assert.equal(now.get('064').id, 'new');
  assert.deepEqual([...countsByLevel(meta, features, '2021-10-12')], [['3', 1]]);
  assert.deepEqual(unitHistory(meta, [...features].reverse(), '064').map((f) => f.id), ['old', 'new']);
});

test('a level is described from the manifest: colour and meaning of its scheme', () => {
  const meta = layer('epidemic_levels');
  const props = rec(meta, 'a', { level: 4, scheme: meta.levels.default_scheme, from: '2021-10-12' }).properties;
  const info = levelInfo(meta, props);
  assert.match(info.color, /^#[0-9a-f]{6}$/i);
  assert.match(levelLabel(meta, props), /^Cấp 4 — /);
  assert.match(levelSentence(meta, props), /, từ 12\/10\/2021$/);
  assert.ok(fillOpacityAt(15) < fillOpacityAt(12) && fillOpacityAt(12) < fillOpacityAt(8));
});
