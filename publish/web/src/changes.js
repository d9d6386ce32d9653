// "What changed": the release on screen against its parent. Added features
// get a bright ring, changed ones a dashed ring, removed ones are drawn
// faintly from the parent's data with "đã gỡ ngày …"; a one-line summary
// ("+3 điểm nguy cơ, 1 vùng cách ly được dỡ bỏ") and the list follow. The
// history lists earlier releases; each opens the map at that release with
// this panel, so any release is compared with its parent the same way.

import { loadBlob, loadManifest } from './data.js';
import { clear, el } from './dom.js';
import { formatDate, formatDateTime } from './format.js';
import { extendStrings, pick, t } from './i18n.js';
import { boundsOf } from './geo.js';
import { GeoJSON, LayerGroup, ShapeMarker, latLngBounds } from './leaflet.js';
import { titleOf } from './hints.js';
import { diffLayer, featureName, summaryText } from './changeset.js';

extendStrings({
  vi: {
    tb_changes: 'Thay đổi',
    ch_against: 'So với bản cập nhật trước ({time}).',
    ch_first: 'Đây là bản đầu tiên: không có bản trước để so sánh.',
    ch_none: 'Không có thay đổi so với bản trước',
    ch_loading: 'Đang so sánh với bản trước…',
    ch_failed: 'Không tải được bản trước để so sánh.',
    ch_show: 'Tô sáng trên bản đồ',
    ch_added: 'Mới',
    ch_changed: 'Thay đổi',
    ch_removed: 'Đã gỡ',
    ch_removed_on: 'đã gỡ ngày {date}',
    ch_more: '… và {n} đối tượng khác',
    ch_history: 'Các bản cập nhật',
    ch_view: 'Xem thay đổi',
    ch_current: 'Bản hiện hành',
    ch_viewing: 'đang xem',
  },
  en: {
    tb_changes: 'Changes',
    ch_against: 'Compared with the previous release ({time}).',
    ch_first: 'This is the first release: there is nothing to compare with.',
    ch_none: 'No change since the previous release',
    ch_loading: 'Comparing with the previous release…',
    ch_failed: 'Could not load the previous release to compare.',
    ch_show: 'Highlight on the map',
    ch_added: 'New',
    ch_changed: 'Changed',
    ch_removed: 'Removed',
    ch_removed_on: 'removed on {date}',
    ch_more: '… and {n} more',
    ch_history: 'Releases',
    ch_view: 'See changes',
    ch_current: 'Current release',
    ch_viewing: 'on screen',
  },
});

const LISTED = 12;
export const HIGHLIGHT = { added: '#d6007e', changed: '#6a3fb5', removed: '#6b7280' };

/** The comparison of ``manifest`` with its parent (null parent: release 0). */
export async function compareWithParent(app, manifest) {
  if (!manifest.parent_id) return { parent: null, layers: [] };
  const parent = await loadManifest(manifest.parent_id);
  const layers = [];
  for (const meta of manifest.layers || []) {
    const prior = (parent.layers || []).find((e) => e.id === meta.id);
    if (prior && prior.blob && meta.blob && prior.blob.sha256 === meta.blob.sha256) continue;
    const [before, after] = await Promise.all([
      prior && prior.blob ? loadBlob(prior.blob) : [], app.ensureFeatures(meta.id)]);
    const d = diffLayer(meta, before, after);
    if (d.added.length || d.removed.length || d.changed.length) layers.push(d);
  }
  return { parent, layers };
}

function isArea(meta) {
  return /Polygon/.test(meta.geometry_type || '');
}

function mark(meta, feature, kind, removedOn) {
  const color = HIGHLIGHT[kind];
  const faint = kind === 'removed';
  let layer;
  if (isArea(meta)) {
    layer = new GeoJSON(feature, {
      pane: 'changesPane',
      style: () => ({
        color, weight: faint ? 2 : 4, opacity: faint ? 0.7 : 1, dashArray: kind === 'added' ? null : '6 4',
        fill: faint, fillColor: color, fillOpacity: 0.12,
      }),
    });
  } else {
    const [lon, lat] = feature.geometry.coordinates;
    layer = new ShapeMarker([lat, lon], faint
      ? { pane: 'changesPane', radius: 7, color, weight: 1.5, opacity: 0.7, fillColor: color, fillOpacity: 0.3, dashArray: '3 3' }
      : { pane: 'changesPane', radius: 13, color, weight: 3, fill: false, dashArray: kind === 'changed' ? '5 4' : null });
  }
  const name = titleOf(meta, feature.properties) || pick(meta.title);
  const label = faint ? `${name} — ${t('ch_removed_on', { date: removedOn })}` : `${name} (${t(`ch_${kind}`)})`;
  layer.bindTooltip(el('span', null, String(label)), { className: 'change-tip' });
  return layer;
}

export function createChanges(app) {
  let result = null; // {release, parent, layers}
  let pending = null;
  let group = null;
  let show = true;
  let shownFor = null; // the release whose changes the map was moved to

  function highlight() {
    if (group) group.remove();
    group = null;
    app.changes.highlighted = 0;
    if (!show || !result || !app.map) return;
    if (!app.map.getPane('changesPane')) app.map.createPane('changesPane').style.zIndex = '620';
    group = new LayerGroup();
    const removedOn = formatDate(app.manifest.created_at);
    let count = 0;
    for (const d of result.layers) {
      for (const kind of ['removed', 'added', 'changed']) {
        for (const f of d[kind]) {
          if (!f.geometry) continue;
          group.addLayer(mark(d.meta, f, kind, removedOn));
          count += 1;
        }
      }
    }
    group.addTo(app.map);
    app.changes.highlighted = count;
  }

  /** Bring the changes into view, above the bottom sheet on a phone. */
  function showChanges() {
    let box = null;
    for (const d of result.layers) {
      for (const f of [...d.added, ...d.changed, ...d.removed]) {
        const b = f.geometry && boundsOf(f.geometry);
        if (!b) continue;
        box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
      }
    }
    if (!box) return;
    const map = app.map.getContainer().getBoundingClientRect();
    const sheet = document.getElementById('panel').getBoundingClientRect();
    const below = sheet.top > map.top + 40 && sheet.width >= map.width - 1 ? Math.max(0, map.bottom - sheet.top) : 0;
    app.map.fitBounds(latLngBounds([box[1], box[0]], [box[3], box[2]]), {
      paddingTopLeft: [32, 32], paddingBottomRight: [32, below + 32], maxZoom: 13, animate: false,
    });
  }

  function ensure() {
    if (!pending || (result && result.release !== app.manifest.release_id)) {
      pending = compareWithParent(app, app.manifest).then((r) => {
        result = { release: app.manifest.release_id, ...r };
        app.changes.summary = summaryText(result.layers);
        app.changes.counts = Object.fromEntries(result.layers.map((d) => [d.meta.id,
          { added: d.added.length, removed: d.removed.length, changed: d.changed.length }]));
        return result;
      });
    }
    return pending;
  }

  function featureList(d, kind, removedOn) {
    const nameOf = (f) => featureName(d.meta, f);
    const items = [...d[kind]].sort((a, b) => nameOf(a).localeCompare(nameOf(b), 'vi'));
    if (!items.length) return null;
    const list = el('ul', { class: `change-list change-${kind}` });
    for (const f of items.slice(0, LISTED)) {
      const name = featureName(d.meta, f);
      if (kind === 'removed') {
        list.append(el('li', null, el('span', { class: 'change-name' }, name), ` — ${t('ch_removed_on', { date: removedOn })}`));
      } else {
        const button = el('button', { type: 'button', class: 'linklike' }, name);
        button.addEventListener('click', () => app.openFeature(d.meta.id, f, { fromList: true, returnFocus: button }));
        list.append(el('li', null, button));
      }
    }
    if (items.length > LISTED) list.append(el('li', { class: 'hint' }, t('ch_more', { n: items.length - LISTED })));
    return el('div', null, el('p', { class: 'change-kind' }, el('span', { class: `change-key change-key-${kind}`, 'aria-hidden': 'true' }),
      `${t(`ch_${kind}`)} (${items.length})`), list);
  }

  async function history(holder) {
    const rows = el('ol', { class: 'change-history', id: 'change-history' });
    holder.append(el('h3', null, t('ch_history')), rows);
    let head;
    try {
      head = app.state.release ? await loadManifest(null) : app.manifest;
    } catch {
      head = app.manifest;
    }
    let node = head;
    for (let i = 0; node && i < 8; i += 1) {
      const here = node.release_id === app.manifest.release_id;
      const params = new URLSearchParams(window.location.search);
      if (node.release_id === head.release_id) params.delete('release');
      else params.set('release', node.release_id);
      params.set('panel', 'changes');
      const counts = Object.entries(node.changes || {}).reduce((s, [, c]) => s + (c.added || 0) + (c.removed || 0) + (c.changed || 0), 0);
      rows.append(el('li', { class: here ? 'is-current' : null, dataset: { release: node.release_id } },
        el('span', { class: 'change-when' }, formatDateTime(node.data_updated_at || node.created_at)),
        node.message ? el('span', { class: 'change-message' }, String(node.message).slice(0, 200)) : null,
        el('span', { class: 'hint' }, ` ${counts ? `±${counts}` : ''} ${i === 0 ? `· ${t('ch_current')}` : ''}`),
        here ? el('strong', { class: 'change-here' }, ` · ${t('ch_viewing')}`)
          : el('a', { href: `${window.location.pathname}?${params}` }, t('ch_view'))));
      if (!node.parent_id) break;
      try {
        node = await loadManifest(node.parent_id);
      } catch {
        break;
      }
    }
  }

  async function render(body) {
    const status = el('p', { class: 'hint', id: 'changes-status' }, t('ch_loading'));
    body.append(status);
    let r;
    try {
      r = await ensure();
    } catch {
      status.textContent = t('ch_failed');
      return;
    }
    if (!body.isConnected || app.state.panel !== 'changes') return;
    clear(body);
    const summary = summaryText(r.layers);
    body.append(el('p', { class: 'change-summary', id: 'changes-summary' },
      r.parent ? summary || t('ch_none') : t('ch_first')));
    if (r.parent) {
      const time = formatDateTime(r.parent.data_updated_at || r.parent.created_at);
      body.append(el('p', { class: 'hint' }, t('ch_against', { time })));
    }
    if (r.layers.length) {
      const toggle = el('input', { type: 'checkbox', id: 'changes-toggle' });
      toggle.checked = show;
      toggle.addEventListener('change', () => {
        show = toggle.checked;
        highlight();
      });
      body.append(el('label', { class: 'check' }, toggle, el('span', null, t('ch_show'))));
      const removedOn = formatDate(app.manifest.created_at);
      for (const d of r.layers) {
        body.append(el('section', { class: 'change-layer', dataset: { layer: d.meta.id } },
          el('h3', null, pick(d.meta.title)),
          featureList(d, 'added', removedOn), featureList(d, 'changed', removedOn), featureList(d, 'removed', removedOn)));
      }
    }
    highlight();
    if (r.layers.length && shownFor !== r.release) {
      shownFor = r.release;
      showChanges();
    }
    await history(body);
  }

  app.changes = { summary: null, counts: null, highlighted: 0 };
  return {
    render,
    close() {
      if (group) group.remove();
      group = null;
      app.changes.highlighted = 0;
    },
  };
}
