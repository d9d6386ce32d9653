// What changed between two releases, as data and as one line of words
// ("+3 điểm nguy cơ, 1 vùng cách ly được dỡ bỏ"): pure, unit-tested under
// node (test/changeset.test.mjs). The panel that shows it is changes.js.

import { extendStrings, lang, pick, t } from './i18n.js';
import { hintsOf, titleOf } from './hints.js';

extendStrings({
  vi: {
    sum_added: '+{n} {noun}',
    sum_removed: '{n} {noun} {word}',
    sum_removed_word: 'đã gỡ',
    sum_changed: '{n} {noun} cập nhật',
  },
  en: {
    sum_added: '+{n} {noun}',
    sum_removed: '{n} {noun} {word}',
    sum_removed_word: 'removed',
    sum_changed: '{n} {noun} updated',
  },
});

/** The layer's short noun ([singular, plural] in English) from its display
 * hints; a layer without one uses its title. */
function noun(meta, n) {
  const nouns = hintsOf(meta).noun;
  if (!nouns) return pick(meta.title).toLowerCase();
  const word = nouns[lang()] ?? nouns.vi;
  return Array.isArray(word) ? word[n === 1 ? 0 : 1] : String(word);
}

/** A feature leaves the public map when its status ends its public life (a
 * lifted zone, a closed facility are not published): the hints' word for it. */
function removedWord(meta) {
  const word = hintsOf(meta).removed_word;
  return word ? pick(word) : t('sum_removed_word');
}

export function featureName(meta, f) {
  return titleOf(meta, f.properties) || String(f.id);
}

function same(a, b) {
  return JSON.stringify(a.geometry) === JSON.stringify(b.geometry)
    && JSON.stringify(a.properties) === JSON.stringify(b.properties);
}

/** Per layer: {meta, added, removed, changed} (features). */
export function diffLayer(meta, before, after) {
  const old = new Map(before.map((f) => [String(f.id), f]));
  const now = new Set(after.map((f) => String(f.id)));
  const out = { meta, added: [], removed: [], changed: [] };
  for (const f of after) {
    const prior = old.get(String(f.id));
    if (!prior) out.added.push(f);
    else if (!same(prior, f)) out.changed.push(f);
  }
  for (const f of before) if (!now.has(String(f.id))) out.removed.push(f);
  return out;
}

/** "+3 điểm nguy cơ, 1 vùng cách ly được dỡ bỏ" (empty string: no change). */
export function summaryText(layers) {
  const parts = [];
  for (const d of layers) {
    const n = { added: d.added.length, changed: d.changed.length, removed: d.removed.length };
    if (n.added) parts.push(t('sum_added', { n: n.added, noun: noun(d.meta, n.added) }));
    if (n.changed) parts.push(t('sum_changed', { n: n.changed, noun: noun(d.meta, n.changed) }));
    if (n.removed) {
      const word = removedWord(d.meta);
      parts.push(t('sum_removed', { n: n.removed, noun: noun(d.meta, n.removed), word }));
    }
  }
  return parts.join(', ');
}
