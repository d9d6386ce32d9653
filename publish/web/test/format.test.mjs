import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clip, formatDate, formatDateTime, formatDistance, formatNumber, searchKey, setTimeZone, telLink,
} from '../src/format.js';

test('search keys drop Vietnamese diacritics and case', () => {
  assert.equal(searchKey('  Chợ   Mới '), 'cho moi');
  assert.equal(searchKey('ĐƯỜNG Đá'), 'duong da');
  assert.equal(searchKey(null), '');
});

test('a tel: link keeps only the digits of the number a text starts with', () => {
  assert.deepEqual(telLink('0209 3870 115 (trực 24/24)'),
    { href: 'tel:02093870115', number: '0209 3870 115', rest: ' (trực 24/24)' });
  assert.equal(telLink('+84 209 387').href, 'tel:+84209387');
  assert.equal(telLink('javascript:alert(1)'), null);
  assert.equal(telLink('12'), null);
});

test('dates are shown in the province time zone, whatever the machine', () => {
  setTimeZone('Asia/Ho_Chi_Minh');
  assert.equal(formatDateTime('2021-06-01T20:30:00+00:00'), '02/06/2021 03:30');
  assert.equal(formatDate('2021-06-01'), '01/06/2021');
  setTimeZone('Not/AZone'); // falls back to the default zone
  assert.equal(formatDateTime('2021-06-01T20:30:00Z'), '02/06/2021 03:30');
});

test('numbers, distances and long text', () => {
  assert.equal(formatNumber(12345), '12.345');
  assert.match(formatDistance(800), /^800 m$/);
  assert.match(formatDistance(2500), /^2,5 km$/);
  assert.equal(clip('abcdef', 4), 'abc…');
  assert.equal(clip('abc', 4), 'abc');
});
