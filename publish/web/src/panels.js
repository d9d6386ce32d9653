// The side panel (a bottom sheet on phones): filters and search, the list
// view, "near me" and statistics. One panel at a time; opening one moves
// the focus to its heading, Escape closes it and returns the focus.

import { byId, clear, el } from './dom.js';
import { pick, t } from './i18n.js';
import { renderList } from './listview.js';
import { createNearMe } from './nearme.js';
import { renderStats } from './stats.js';
import { writeUrl } from './state.js';
import { swatch } from './symbols.js';

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
    title.textContent = t(TITLES[name]);
    clear(body);
    if (name === 'filters') renderFilters();
    else if (name === 'list') renderList(app, body);
    else if (name === 'nearme') nearMe.render(body);
    else if (name === 'stats') renderStats(app, body);
  }

  function open(name, { focus = true } = {}) {
    app.state.panel = name;
    panel.hidden = false;
    panel.dataset.panel = name;
    document.body.classList.add('panel-open');
    setExpanded();
    render();
    writeUrl(app.state);
    if (focus) title.focus();
    setTimeout(() => app.map && app.map.invalidateSize(), 0);
  }

  function close() {
    const was = app.state.panel;
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
      for (const [status, label] of Object.entries(meta.status || {})) {
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
        el('label', { for: 'district-filter' }, t('district')), district),
      layers,
      el('p', { class: 'filter-summary', id: 'filter-summary' }),
      reset,
    );
    body.querySelector('form').addEventListener('submit', (e) => e.preventDefault());
    updateFilterCounts();
  }

  function updateFilterCounts() {
    let total = 0;
    for (const node of body.querySelectorAll('.filter-count')) {
      const n = app.visibleFeatures(node.dataset.layer).length;
      total += n;
      node.textContent = ` (${n})`;
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
      if (app.state.panel === 'filters') updateFilterCounts();
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
