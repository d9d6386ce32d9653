// The side panel (a bottom sheet on phones): filters and search, the list
// view, "near me" and statistics. One panel at a time; opening one moves
// the focus to its heading, Escape closes it and returns the focus.

import { byId, clear, el } from './dom.js';
import { pick, t } from './i18n.js';
import { renderList } from './listview.js';
import { createNearMe } from './nearme.js';
import { renderStats } from './stats.js';
import { writeUrl } from './state.js';
import { presentStatuses, swatch } from './symbols.js';
import { boundsOf } from './geo.js';
import { latLngBounds } from './leaflet.js';
import { districtOf, idOf, titleOf } from './hints.js';

const SEARCH_SHOWN = 8; // matches listed under the search field (all: the List)

const TITLES = { filters: 'tb_filters', list: 'tb_list', nearme: 'tb_nearme', stats: 'tb_stats' };

export function createPanels(app) {
  const panel = byId('panel');
  const body = byId('panel-body');
  const title = byId('panel-title');
  const buttons = [...document.querySelectorAll('#toolbar [data-panel]')];
  const nearMe = createNearMe(app);
  let searchTimer = null;

  function setExpanded() {
    for (const b of buttons) b.setAttribute('aria-expanded', String(b.dataset.panel === app.state.panel));
  }

  function render() {
    const name = app.state.panel;
    const extra = app.extraPanels && app.extraPanels[name]; // downloads, changes (main.js)
    title.textContent = t(extra ? extra.title : TITLES[name]);
    clear(body);
    if (extra) extra.render(body);
    else if (name === 'filters') renderFilters();
    else if (name === 'list') renderList(app, body);
    else if (name === 'nearme') nearMe.render(body);
    else if (name === 'stats') renderStats(app, body);
  }

  function open(name, { focus = true } = {}) {
    const other = app.state.panel !== name;
    const leaving = other && app.extraPanels && app.extraPanels[app.state.panel];
    if (leaving && leaving.close) leaving.close();
    app.state.panel = name;
    panel.hidden = false;
    panel.dataset.panel = name;
    document.body.classList.add('panel-open');
    setExpanded();
    render();
    if (other) body.scrollTop = 0; // a panel opens at its top, whatever the last one scrolled
    writeUrl(app.state);
    if (focus) title.focus();
    setTimeout(() => app.map && app.map.invalidateSize(), 0);
  }

  function close() {
    const was = app.state.panel;
    const extra = app.extraPanels && app.extraPanels[was];
    if (extra && extra.close) extra.close();
    app.state.panel = null;
    panel.hidden = true;
    document.body.classList.remove('panel-open');
    setExpanded();
    writeUrl(app.state);
    const button = buttons.find((b) => b.dataset.panel === was);
    if (button) button.focus();
    setTimeout(() => app.map && app.map.invalidateSize(), 0);
  }

  for (const b of buttons) {
    b.addEventListener('click', () => (app.state.panel === b.dataset.panel ? close() : open(b.dataset.panel)));
  }
  byId('panel-close').addEventListener('click', close);
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });

  // ------------------------------------------------------------- filters

  function checkbox(attrs, checked, ...label) {
    const input = el('input', { type: 'checkbox', ...attrs });
    input.checked = checked;
    return el('label', { class: 'check' }, input, ...label);
  }

  function renderFilters() {
    const s = app.state;
    const search = el('input', {
      type: 'search', id: 'search-input', value: s.query, placeholder: t('search_placeholder'),
      autocomplete: 'off', spellcheck: 'false',
    });
    search.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => {
        s.query = search.value.trim();
        app.refresh();
        showMatches({ move: true });
      }, 200);
    });
    const district = el('select', { id: 'district-filter' },
      el('option', { value: '' }, t('all_districts')),
      [...app.districts].map(([code, name]) => el('option', { value: code }, name)));
    district.value = s.district;
    district.addEventListener('change', () => {
      s.district = district.value;
      app.refresh();
    });
    const layers = el('fieldset', { class: 'filter-layers' }, el('legend', null, t('layers_statuses')));
    for (const { meta } of app.layers.values()) {
      const statuses = el('ul', { class: 'filter-statuses' });
      const entry = app.layers.get(meta.id);
      // statuses no published feature has are not offered (unless hidden now)
      const shown = new Set(presentStatuses(meta, entry && entry.features));
      for (const [status, label] of Object.entries(meta.status || {})) {
        if (!shown.has(status) && !s.hiddenStatuses.has(`${meta.id}:${status}`)) continue;
        statuses.append(el('li', null, checkbox(
          { dataset: { layer: meta.id, status } }, !s.hiddenStatuses.has(`${meta.id}:${status}`),
          swatch(meta, status), el('span', null, pick(label)),
        )));
      }
      layers.append(el('div', { class: 'filter-layer' },
        checkbox({ dataset: { layer: meta.id } }, !s.hiddenLayers.has(meta.id),
          el('strong', null, pick(meta.title)), el('span', { class: 'filter-count', dataset: { layer: meta.id } })),
        statuses));
    }
    layers.addEventListener('change', (e) => {
      const { layer, status } = e.target.dataset;
      const set = status ? s.hiddenStatuses : s.hiddenLayers;
      const key = status ? `${layer}:${status}` : layer;
      if (e.target.checked) set.delete(key); else set.add(key);
      app.refresh();
    });
    const reset = el('button', { type: 'button', class: 'button-secondary' }, t('reset_filters'));
    reset.addEventListener('click', () => {
      s.query = '';
      s.district = '';
      s.hiddenLayers.clear();
      s.hiddenStatuses.clear();
      render();
      app.refresh();
    });
    body.append(
      el('form', { role: 'search', class: 'filter-form', action: '#' },
        el('label', { for: 'search-input' }, t('search')), search,
        el('div', { id: 'search-results', class: 'search-results' }),
        el('label', { for: 'district-filter' }, t('district')), district),
      layers,
      basemapToggle(),
      el('p', { class: 'filter-summary', id: 'filter-summary' }),
      reset,
    );
    body.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      clearTimeout(searchTimer);
      s.query = search.value.trim();
      app.refresh();
      showMatches({ move: true });
    });
    updateFilterCounts();
    showMatches({ move: false });
  }

  /** The switch for the basemap (only when config.json names one). */
  function basemapToggle() {
    if (!app.basemap) return null;
    const box = checkbox({ id: 'basemap-toggle' }, !app.state.basemapOff, el('span', null, t('basemap_toggle')));
    box.querySelector('input').addEventListener('change', (e) => app.setBasemap(e.target.checked));
    return el('p', { class: 'basemap-switch' }, box);
  }

  /** A search lists its matches (each shows itself on the map) and moves
   * the map to them; counts alone do not tell where things are. */
  async function showMatches({ move }) {
    const holder = byId('search-results');
    if (!holder) return;
    const query = app.state.query;
    clear(holder);
    if (!query) return;
    await app.ensureAll();
    if (app.state.query !== query || !holder.isConnected) return;
    const matches = [];
    for (const { meta } of app.layers.values()) {
      for (const feature of app.visibleFeatures(meta.id)) matches.push([meta, feature]);
    }
    clear(holder);
    if (!matches.length) return;
    const list = el('ul', { class: 'search-list', 'aria-label': t('search_matches') });
    for (const [meta, feature] of matches.slice(0, SEARCH_SHOWN)) {
      const p = feature.properties;
      const button = el('button', { type: 'button', class: 'linklike', dataset: { uid: idOf(meta, feature) } },
        titleOf(meta, p) || pick(meta.title));
      button.addEventListener('click', () => {
        if (window.matchMedia('(max-width: 719px)').matches) close();
        app.openFeature(meta.id, feature, { fromList: true, returnFocus: button.isConnected ? button : null });
      });
      list.append(el('li', null, swatch(meta, p.status), button,
        el('span', { class: 'search-where' }, app.lookups.districtName(districtOf(meta, p)) || '')));
    }
    holder.append(el('p', { class: 'search-title' }, t('search_matches')), list);
    if (matches.length > SEARCH_SHOWN) holder.append(el('p', { class: 'hint' }, t('search_more', { n: matches.length - SEARCH_SHOWN })));
    if (move) fitTo(matches.map(([, f]) => f));
  }

  function fitTo(features) {
    let box = null;
    for (const f of features) {
      const b = boundsOf(f.geometry);
      if (!b) continue;
      box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
    }
    if (!box) return;
    app.map.fitBounds(latLngBounds([box[1], box[0]], [box[3], box[2]]), { maxZoom: 14, padding: [40, 40], animate: false });
  }

  function updateFilterCounts() {
    let total = 0;
    for (const node of body.querySelectorAll('.filter-count')) {
      const n = app.visibleCount(node.dataset.layer); // null: a tiled layer, not yet known
      total += n || 0;
      node.textContent = n == null ? '' : ` (${n})`;
    }
    const summary = byId('filter-summary');
    if (summary) summary.textContent = total ? t('results', { n: total }) : t('no_results');
  }

  // ------------------------------------------------------------ messages

  function toast(message) {
    const node = el('div', { class: 'toast', role: 'status' }, message);
    document.body.append(node);
    setTimeout(() => node.remove(), 3500);
  }

  function showShare(url) {
    open('stats', { focus: false });
    const input = el('input', { type: 'text', readonly: true, value: url, class: 'share-url', 'aria-label': t('share_title') });
    body.prepend(el('div', { class: 'share-box' }, el('p', null, t('share_manual')), input));
    input.focus();
    input.select();
  }

  return {
    open,
    close,
    toast,
    showShare,
    update() {
      if (app.state.panel === 'filters' && !byId('basemap-toggle') && app.basemap) render();
      else if (app.state.panel === 'filters') updateFilterCounts();
      else if (app.state.panel === 'list') render();
    },
    rerender() {
      if (app.state.panel) render();
    },
    restore() {
      if (app.state.panel) open(app.state.panel, { focus: false });
    },
  };
}
