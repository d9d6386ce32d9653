import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createState, readUrl, toSearch } from '../src/state.js';

test('a shared link restores the view, the filters and the panel', () => {
  const search = '?release=r-12&lang=en&c=22.1,105.8&z=11.5&off=checkpoints&hide=risk_points:active&d=064&q=cho%20moi&panel=list&bm=0';
  const state = readUrl(createState(), search);
  assert.equal(state.release, 'r-12');
  assert.deepEqual(state.center, [22.1, 105.8]);
  assert.equal(state.zoom, 11.5);
  assert.deepEqual([...state.hiddenStatuses], ['risk_points:active']);
  assert.equal(state.query, 'cho moi');
  assert.equal(state.panel, 'list');
  assert.ok(state.basemapOff);
  const again = readUrl(createState(), toSearch(state));
  assert.deepEqual({ ...again, hiddenLayers: [...again.hiddenLayers], hiddenStatuses: [...again.hiddenStatuses] },
    { ...state, hiddenLayers: [...state.hiddenLayers], hiddenStatuses: [...state.hiddenStatuses] });
});

test('bad values in a link are dropped, not trusted', () => {
  const state = readUrl(createState(), '?release=../etc&c=200,5&z=99&panel=evil');
  assert.equal(state.release, null);
  assert.equal(state.badRelease, '../etc');
  assert.equal(state.center, null);
  assert.equal(state.zoom, null);
  assert.equal(state.panel, null);
});
