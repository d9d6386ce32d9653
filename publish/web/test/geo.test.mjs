import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchorOf, boundsOf, containsPoint, distanceTo, haversine } from '../src/geo.js';

const square = { type: 'MultiPolygon', coordinates: [[[[105, 22], [106, 22], [106, 23], [105, 23], [105, 22]]]] };

test('inside a zone, distance zero; outside, the distance to its edge', () => {
  assert.ok(containsPoint(square, 105.5, 22.5));
  assert.ok(!containsPoint(square, 104.9, 22.5));
  assert.equal(distanceTo(square, 105.5, 22.5), 0);
  const d = distanceTo(square, 104.9, 22.5);
  assert.ok(Math.abs(d - haversine(104.9, 22.5, 105, 22.5)) < 50, String(d));
});

test('a point\'s distance, a shape\'s anchor and bounds', () => {
  assert.ok(Math.abs(haversine(105, 22, 105, 23) - 111195) < 200);
  assert.equal(distanceTo({ type: 'Point', coordinates: [105, 22] }, 105, 22), 0);
  const [lon, lat] = anchorOf(square);
  assert.ok(containsPoint(square, lon, lat));
  assert.deepEqual(boundsOf(square), [105, 22, 106, 23]); // west, south, east, north
});
