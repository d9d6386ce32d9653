// "Tải dữ liệu / Download data": every layer of the release shown as GeoJSON
// and CSV (content-addressed files named in the manifest), the licence and
// whom to credit (the province profile in the manifest), the release feed
// and how to check the release's signature. Text from the manifest is set
// as text, never as HTML.

import { dataUrl } from './data.js';
import { el } from './dom.js';
import { formatDateTime, formatNumber } from './format.js';
import { extendStrings, pick, t } from './i18n.js';

extendStrings({
  vi: {
    tb_downloads: 'Tải dữ liệu',
    dl_intro: 'Dữ liệu mở của bản cập nhật {time}. Mỗi tệp không bao giờ thay đổi; CSV mở được bằng Excel (UTF-8).',
    dl_features: '{n} đối tượng',
    dl_licence: 'Giấy phép',
    dl_attribution: 'Ghi nguồn khi dùng lại',
    dl_no_licence: 'Chưa công bố giấy phép; liên hệ đơn vị phát hành trước khi dùng lại.',
    dl_feed: 'Theo dõi các bản cập nhật (Atom)',
    dl_verify: 'Kiểm tra tính xác thực',
    dl_verify_text: 'Mỗi bản cập nhật được ký số (Ed25519). Mã bản: {id}.',
    dl_signature: 'Chữ ký',
    dl_key: 'Khoá công khai',
    dl_reference: 'Ranh giới hành chính',
  },
  en: {
    tb_downloads: 'Download data',
    dl_intro: 'Open data of the release of {time}. Each file never changes; the CSV opens in Excel (UTF-8).',
    dl_features: '{n} features',
    dl_features_one: '1 feature',
    dl_licence: 'Licence',
    dl_attribution: 'Credit when reusing',
    dl_no_licence: 'No licence published yet; ask the publisher before reusing.',
    dl_feed: 'Follow the releases (Atom feed)',
    dl_verify: 'Check it is authentic',
    dl_verify_text: 'Every release is digitally signed (Ed25519). Release id: {id}.',
    dl_signature: 'Signature',
    dl_key: 'Public key',
    dl_reference: 'Administrative boundaries',
  },
});

const SAFE_URL = /^https:\/\/[^\s"'<>]+$/i;

function size(bytes) {
  if (!Number.isFinite(bytes)) return '';
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

function fileLink(href, name, label, bytes) {
  let url;
  try {
    url = dataUrl(href);
  } catch {
    return null; // a manifest must not point elsewhere
  }
  return el('a', { href: url, download: name, class: 'dl-file' }, label,
    bytes ? el('span', { class: 'dl-size' }, ` ${size(bytes)}`) : null);
}

/** The panel's content for ``app.manifest``. */
export function renderDownloads(app, body) {
  const m = app.manifest;
  if (!m) return;
  const rid = String(m.release_id || '');
  const stamp = rid.split('-')[0];
  body.append(el('p', { class: 'hint' }, t('dl_intro', { time: formatDateTime(m.data_updated_at || m.created_at) })));
  const list = el('ul', { class: 'dl-list', id: 'download-list' });
  for (const layer of m.layers || []) {
    const csv = layer.downloads && layer.downloads.csv;
    list.append(el('li', { class: 'dl-layer', dataset: { layer: String(layer.id) } },
      el('span', { class: 'dl-title' }, pick(layer.title)),
      el('span', { class: 'dl-count' }, t('dl_features', { n: formatNumber(layer.feature_count || 0) })),
      el('span', { class: 'dl-links' },
        layer.blob ? fileLink(layer.blob.href, `${layer.id}-${stamp}.geojson`, 'GeoJSON', layer.blob.size) : null,
        csv ? fileLink(csv.href, `${layer.id}-${stamp}.csv`, 'CSV', csv.size) : null)));
  }
  for (const ref of m.reference || []) {
    list.append(el('li', { class: 'dl-layer', dataset: { layer: String(ref.id) } },
      el('span', { class: 'dl-title' }, `${t('dl_reference')}: ${pick(ref.title)}`),
      el('span', { class: 'dl-links' },
        ref.blob ? fileLink(ref.blob.href, `${ref.id}-${stamp}.geojson`, 'GeoJSON', ref.blob.size) : null)));
  }
  body.append(list);

  const licence = (m.profile && m.profile.licence) || {};
  const name = pick({ vi: licence.name, en: licence.name_en || licence.name });
  const attribution = pick(licence.attribution || '');
  const box = el('div', { class: 'dl-licence', id: 'download-licence' });
  if (name) {
    box.append(el('p', null, el('strong', null, `${t('dl_licence')}: `),
      typeof licence.url === 'string' && SAFE_URL.test(licence.url)
        ? el('a', { href: licence.url, rel: 'license noopener', target: '_blank' }, name) : name));
  } else box.append(el('p', null, t('dl_no_licence')));
  if (attribution) box.append(el('p', null, el('strong', null, `${t('dl_attribution')}: `), attribution));
  body.append(box);

  body.append(el('p', { class: 'dl-feed' }, el('a', { href: dataUrl('feed.atom'), type: 'application/atom+xml' }, t('dl_feed'))));
  if (rid) {
    body.append(el('div', { class: 'dl-verify' },
      el('h3', null, t('dl_verify')),
      el('p', null, t('dl_verify_text', { id: rid })),
      el('p', { class: 'dl-links' },
        fileLink(`releases/${rid}.json.sig`, `${rid}.json.sig`, t('dl_signature')),
        fileLink('public-key.pem', 'covidmaps-public-key.pem', t('dl_key')))));
  }
}
