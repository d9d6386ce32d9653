import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../src/store.js';
import { createState } from '../src/state.js';

test('the shared store has every member declared and takes no new one', () => {
  const store = createStore(createState());
  assert.ok(Object.isSealed(store));
  store.manifest = { release_id: 'r' }; // declared members can be set
  assert.equal(store.manifest.release_id, 'r');
  assert.throws(() => { 'use strict'; store.somethingNew = 1; }, TypeError);
  assert.ok(!('somethingNew' in store));
});
