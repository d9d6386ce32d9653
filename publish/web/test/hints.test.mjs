import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ageHint, derivedAfter, derivedValue, districtOf, fallbackHints, hintsOf, idOf, isPhoneField,
  rangeOf, searchText, titleOf,
} from '../src/hints.js';
import { layer, layers, olderFormat } from './model.mjs';

test('every layer of the model carries display hints the map knows', () => {
  for (const meta of layers()) {
    assert.equal(meta.display.version, 1, meta.id);
    assert.ok(hintsOf(meta).title_field, meta.id);
    assert.ok(hintsOf(meta).search_fields.length > 0, meta.id);
  }
});

test('title, id, district and search text come from the hints', () => {
  const meta = layer('risk_points');
  const props = { name: 'Chợ Đồn', address: 'Tổ 3', district_code: '064', uid: 'u-1', advice: 'Ở nhà' };
  assert.equal(titleOf(meta, props), 'Chợ Đồn');
  assert.equal(titleOf(meta, { name: '' }), null);
  assert.equal(districtOf(meta, props), '064');
  assert.equal(idOf(meta, { id: 'g-1', properties: props }), 'g-1');
  assert.equal(idOf(meta, { properties: props }), 'u-1');
  assert.equal(searchText(meta, props), 'Chợ Đồn Tổ 3'); // advice is not searched
  assert.equal(searchText(layer('checkpoints'), { name: 'Chốt A', road: 'QL3' }), 'Chốt A QL3');
});

test('a phone field, a date window and a derived figure are named by the model', () => {
  const facilities = layer('quarantine_facilities');
  assert.ok(isPhoneField(facilities, 'duty_phone'));
  assert.ok(!isPhoneField(facilities, 'address'));
  const [free] = hintsOf(facilities).derived;
  assert.equal(free.kind, 'difference');
  assert.equal(derivedValue(free, { capacity: 200, occupancy: 137 }), 63);
  assert.equal(derivedValue(free, { capacity: 10, occupancy: 12 }), 0); // never negative
  assert.equal(derivedValue(free, { capacity: 80 }), 80); // nobody yet
  assert.equal(derivedValue(free, { occupancy: 3 }), null); // no capacity: no figure
  assert.equal(derivedValue(free, { capacity: 'x' }), null);
  assert.deepEqual(derivedAfter(facilities, 'occupancy'), [free]);
  assert.deepEqual(derivedAfter(facilities, 'capacity'), []);
  const points = layer('risk_points');
  const window = rangeOf(points, 'exposure_end');
  assert.equal(window, rangeOf(points, 'exposure_start'));
  assert.equal(window.label.vi, 'Thời gian nguy cơ');
  assert.equal(rangeOf(points, 'address'), null);
  assert.deepEqual(ageHint(points), { field: 'exposure_end', days: 7 });
  assert.equal(ageHint(facilities), null);
});

test('near me looks at the layers the model marks for it', () => {
  const near = layers().filter((m) => hintsOf(m).near_me).map((m) => m.id);
  assert.deepEqual(near.sort(), ['isolation_zones', 'risk_points']);
});

test('a release without hints still gets a title, search and the district filter', () => {
  const meta = olderFormat('risk_points');
  const hints = hintsOf(meta);
  assert.equal(hints.version, 0);
  assert.equal(hints.title_field, 'name');
  assert.equal(hints.district_field, 'district_code');
  assert.ok(hints.search_fields.includes('address'));
  assert.deepEqual([hints.phone_fields, hints.ranges, hints.derived], [[], [], []]);
  assert.equal(ageHint(meta), null);
  assert.equal(hints.near_me, true);
  assert.equal(fallbackHints(olderFormat('epidemic_levels')).near_me, false);
});

test('hints of a version the map does not know are not trusted', () => {
  const meta = layer('risk_points');
  meta.display.version = 99;
  meta.display.title_field = 'advice';
  assert.equal(hintsOf(meta).title_field, 'name');
  assert.equal(hintsOf(meta).version, 0);
});
