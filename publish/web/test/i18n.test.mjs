import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LANGS, pick, t } from '../src/i18n.js';

test('labels are picked in the current language, Vietnamese first', () => {
  assert.deepEqual(LANGS, ['vi', 'en']);
  assert.equal(pick({ vi: 'Chợ', en: 'Market' }), 'Chợ');
  assert.equal(pick({ en: 'Market' }), 'Market');
  assert.equal(pick('plain'), 'plain');
  assert.equal(pick(null), '');
});

test('parameters are filled, unknown ones left visible', () => {
  assert.match(t('results', { n: 3 }), /3/);
  assert.equal(t('no_such_key_here'), 'no_such_key_here');
});
