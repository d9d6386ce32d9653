// What surrounds the map: the header (title, time of the data, language),
// the notice strip, the banner of an earlier release and the load error.

import { renderAttribution } from './backdrop.js';
import { loadManifest } from './data.js';
import { byId, clear, el } from './dom.js';
import { formatAgo, formatDateTime, telLink } from './format.js';
import { lang, pick, t } from './i18n.js';
import { renderOffline } from './offline.js';

/** The header and every fixed text, in the current language.
 * store: store.js (used: manifest, state, map; offline and attribution read it too). */
export function renderChrome(store) {
  const m = store.manifest;
  const profile = (m && m.profile) || {};
  const name = lang() === 'en' ? (profile.name_en || profile.name) : profile.name;
  const title = name ? t('app_title_province', { name }) : t('app_title');
  byId('app-title').textContent = title;
  document.title = title;
  byId('updated-label').textContent = t('updated');
  const updated = m && (m.data_updated_at || m.created_at);
  const time = byId('updated-time');
  time.textContent = updated ? formatDateTime(updated) : t('loading');
  if (updated) time.setAttribute('datetime', updated);
  byId('updated-ago').textContent = updated && !store.state.release ? formatAgo(updated) : '';
  const toggle = byId('lang-toggle');
  toggle.textContent = t('lang_toggle');
  // the accessible name starts with the visible text (WCAG 2.5.3)
  toggle.setAttribute('aria-label', `${t('lang_toggle')} – ${t('lang_toggle_label')}`);
  toggle.setAttribute('lang', lang() === 'vi' ? 'en' : 'vi');
  byId('toolbar').setAttribute('aria-label', t('toolbar'));
  byId('map').setAttribute('aria-label', t('map'));
  byId('panel-close').setAttribute('aria-label', t('close'));
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  renderOldReleaseBanner(store);
  renderOffline(store);
  renderNotice(m);
  renderAttribution(store);
}

/** The strip under the header: the province's hotline and one line of
 * advice, from the release (the officer's profile), never from this code. */
export function renderNotice(manifest) {
  const strip = byId('notice');
  const notice = (manifest && (manifest.notice || (manifest.profile && manifest.profile.notice))) || null;
  const hotline = notice && typeof notice.hotline === 'string' ? notice.hotline.trim() : '';
  const text = notice ? pick(notice.advice || '').trim() : '';
  clear(strip);
  strip.hidden = !hotline && !text;
  if (strip.hidden) return;
  strip.setAttribute('aria-label', t('notice_label'));
  if (hotline) {
    const link = telLink(hotline);
    strip.append(el('p', { class: 'notice-hotline' },
      el('span', { 'aria-hidden': 'true', class: 'notice-icon' }, '☎'), ' ',
      `${t('notice_hotline')}: `,
      link ? el('a', { href: link.href, id: 'notice-phone' }, link.number) : el('strong', null, hotline),
      link && link.rest ? link.rest : ''));
  }
  if (text) strip.append(el('p', { class: 'notice-advice', id: 'notice-advice' }, text.slice(0, 400)));
}

// the current release's id, asked once when a release is pinned by
// ?release= (a shared link or the history may pin the current one)
let currentReleaseId = null;

function renderOldReleaseBanner(store) {
  const banner = byId('old-release');
  const m = store.manifest;
  if (!store.state.release || !m) {
    banner.hidden = true;
    return;
  }
  currentReleaseId ??= loadManifest(null).then((cur) => cur.release_id, () => null);
  // shown at once (the first view is laid out with it), then taken away if
  // the pinned release turns out to be the current one (when the pointer
  // cannot be read, e.g. offline, it may be old: it stays)
  currentReleaseId.then((id) => {
    if (store.manifest !== m || !store.state.release) return;
    if (id === m.release_id && !banner.hidden) {
      banner.hidden = true;
      if (store.map) store.map.invalidateSize();
    }
    banner.dataset.checked = '1';
  });
  const current = new URLSearchParams(window.location.search);
  current.delete('release');
  const href = `${window.location.pathname}${current.toString() ? `?${current}` : ''}`;
  // the same time as the header: when the data was current, not a release id
  clear(banner).append(
    el('span', null, t('old_release', { time: formatDateTime(m.data_updated_at || m.created_at) })),
    ' ',
    el('a', { href }, t('current_data')),
  );
  banner.hidden = false;
}

/** The error line with a retry button; `release`: the pinned release id, if any. */
export function showLoadError(error, release) {
  const box = clear(byId('load-error'));
  const message = error && error.status === 404 && release
    ? t('bad_release', { id: release })
    : t('load_failed');
  const retry = el('button', { type: 'button' }, t('retry'));
  retry.addEventListener('click', () => window.location.reload());
  box.append(el('span', null, message), ' ', retry);
  box.hidden = false;
}
