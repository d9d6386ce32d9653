// The installable, offline-capable map: registers the service worker
// (sw.js) and says so when the data on screen is the copy kept from the last
// visit: "Ngoại tuyến — dữ liệu cập nhật lúc …".

import { dataStatus } from './data.js';
import { byId, clear, el } from './dom.js';
import { formatDateTime } from './format.js';
import { extendStrings, t } from './i18n.js';

extendStrings({
  vi: {
    offline: 'Ngoại tuyến — dữ liệu cập nhật lúc {time}',
    offline_reload: 'Tải dữ liệu mới',
  },
  en: {
    offline: 'Offline — data updated at {time}',
    offline_reload: 'Load the latest data',
  },
});

function banner() {
  let node = byId('offline-banner');
  if (!node) {
    node = el('div', { id: 'offline-banner', class: 'banner banner-offline', role: 'status', hidden: true });
    byId('old-release').before(node);
  }
  return node;
}

/** Show or hide the banner for ``app.manifest`` (called again on language
 * switches and when the connection comes and goes). */
export function renderOffline(app) {
  const node = banner();
  const m = app.manifest;
  const offline = navigator.onLine === false || dataStatus.manifestOffline;
  clear(node);
  node.hidden = !offline || !m;
  if (node.hidden) return;
  const time = formatDateTime(m.data_updated_at || m.created_at);
  if (navigator.onLine === false) {
    node.append(el('span', null, el('span', { class: 'offline-dot', 'aria-hidden': 'true' }), t('offline', { time })));
  } else {
    // the browser has a network but the server did not answer (or the network
    // is back): the map shows the kept copy; offer to try for the new data
    const reload = el('button', { type: 'button' }, t('offline_reload'));
    reload.addEventListener('click', () => window.location.reload());
    node.append(el('span', null, el('span', { class: 'offline-dot', 'aria-hidden': 'true' }), t('offline', { time })), ' ', reload);
  }
}

export function initOffline(app) {
  window.addEventListener('online', () => renderOffline(app));
  window.addEventListener('offline', () => renderOffline(app));
}

/** Called once the release is drawn: the worker's install (app shell, this
 * release's files) must not compete with the first visit's own downloads. */
export function registerWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => {});
}
