import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageDays, ageOf, hasAge, isArea, layerStatus, presentStatuses, statusColor } from '../src/symbols.js';
import { feature, layer, olderFormat } from './model.mjs';

const DAY = 86400000;

test('points whose age field is older than the hint\'s days are drawn lighter', () => {
  const meta = layer('risk_points');
  const { field, days } = meta.display.age;
  const now = Date.parse('2021-06-20T00:00:00Z');
  assert.ok(hasAge(meta));
  assert.equal(ageDays(meta), days);
  assert.equal(ageOf(meta, { [field]: new Date(now - (days + 1) * DAY).toISOString() }, now), 'old');
  assert.equal(ageOf(meta, { [field]: new Date(now - (days - 1) * DAY).toISOString() }, now), 'fresh');
  assert.equal(ageOf(meta, {}, now), 'fresh');
  assert.ok(!hasAge(olderFormat('risk_points')));
  assert.ok(!hasAge(layer('quarantine_facilities')));
});

test('colours per status from the style; the legend shows the most frequent status', () => {
  const meta = layer('isolation_zones');
  assert.ok(isArea(meta));
  assert.ok(!isArea(layer('checkpoints')));
  assert.equal(statusColor(meta, 'in_force'), meta.style.status_colors.in_force);
  assert.equal(statusColor(meta, 'nonsense'), '#999999');
  const features = [feature('a', { status: 'extended' }), feature('b', { status: 'extended' }), feature('c', { status: 'upcoming' })];
  assert.equal(layerStatus(meta, features), 'extended');
  assert.deepEqual(new Set(presentStatuses(meta, features)), new Set(['extended', 'upcoming']));
});
