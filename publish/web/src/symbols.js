// Symbols from the manifest's style: colour per status, shape per layer
// (circle, square, triangle, diamond; fill for zones) and dash pattern per
// zone status, so that status never depends on colour alone.

import { svg } from './dom.js';
import { ageHint } from './hints.js';

const FALLBACK_COLOR = '#999999';

export function statusColor(meta, status) {
  return (meta.style && meta.style.status_colors && meta.style.status_colors[status]) || FALLBACK_COLOR;
}

export function isDashed(meta, status) {
  return Boolean(meta.style && meta.style.status_strokes && meta.style.status_strokes[status] === 'dash');
}

export function isArea(meta) {
  return /Polygon/.test(meta.geometry_type || '') || (meta.style && meta.style.symbol === 'fill');
}

export function pointRadius(meta) {
  const size = Number(meta.style && meta.style.size) || 10;
  return Math.max(4, size / 2 + 1);
}

/** Trace a point symbol on a 2D canvas context (no fill/stroke). */
export function traceShape(ctx, shape, x, y, r) {
  ctx.beginPath();
  if (shape === 'square') {
    const s = r * 0.9;
    ctx.rect(x - s, y - s, 2 * s, 2 * s);
  } else if (shape === 'triangle') {
    const h = r * 1.15;
    ctx.moveTo(x, y - h);
    ctx.lineTo(x + h, y + h * 0.8);
    ctx.lineTo(x - h, y + h * 0.8);
    ctx.closePath();
  } else if (shape === 'diamond') {
    const h = r * 1.2;
    ctx.moveTo(x, y - h);
    ctx.lineTo(x + h, y);
    ctx.lineTo(x, y + h);
    ctx.lineTo(x - h, y);
    ctx.closePath();
  } else {
    ctx.arc(x, y, r, 0, Math.PI * 2);
  }
}

// Points whose exposure ended more than `days` ago (the layer's age hint,
// hints.js) are drawn lighter: a two-step age scale in the legend.
const DAY_MS = 86400000;

/** Does the layer have an age scale (its points have an age)? */
export function hasAge(meta) {
  return ageHint(meta) != null;
}

/** The age scale's step in days (for the legend), or null. */
export function ageDays(meta) {
  const age = ageHint(meta);
  return age ? Number(age.days) : null;
}

/** 'old' when the feature's age field is more than the hint's days ago, else 'fresh'. */
export function ageOf(meta, props, now = Date.now()) {
  const age = ageHint(meta);
  const end = age && props ? Date.parse(props[age.field]) : NaN;
  return Number.isFinite(end) && now - end > age.days * DAY_MS ? 'old' : 'fresh';
}

export function pointOptions(meta, status, age = 'fresh') {
  const old = age === 'old';
  return {
    shape: (meta.style && meta.style.symbol) || 'circle',
    radius: pointRadius(meta) - (old ? 1 : 0),
    color: old ? '#6b6b6b' : (meta.style && meta.style.stroke) || '#222222',
    weight: old ? 1 : 1.5,
    fillColor: statusColor(meta, status),
    fillOpacity: old ? 0.4 : 0.95,
  };
}

/** A zone too small to see at the current zoom is drawn as this frame (a
 * minimum on-screen presence): the legend's zone symbol, a translucent
 * square in the zone's own colours and dashes. */
export const ZONE_MIN_PX = 26; // wider than a few points: a ring still shows around them
export function zoneMarkerOptions(meta, status) {
  const color = statusColor(meta, status);
  return {
    shape: 'square',
    radius: ZONE_MIN_PX / 2,
    color,
    weight: 3,
    dashArray: isDashed(meta, status) ? '5 3' : null,
    fillColor: color,
    fillOpacity: 0.45,
  };
}

export function areaOptions(meta, status) {
  const color = statusColor(meta, status);
  return {
    color,
    weight: 2.5,
    dashArray: isDashed(meta, status) ? '7 5' : null,
    fillColor: color,
    fillOpacity: Number(meta.style && meta.style.fill_opacity) || 0.35,
  };
}

/** A small SVG swatch for the legend and lists (decorative: aria-hidden). */
export function swatch(meta, status, age = 'fresh') {
  const color = statusColor(meta, status);
  const stroke = (meta.style && meta.style.stroke) || '#222222';
  const box = svg('svg', { width: 18, height: 18, viewBox: '0 0 18 18', 'aria-hidden': 'true', class: 'swatch', focusable: 'false' });
  const shape = (meta.style && meta.style.symbol) || 'circle';
  let node;
  if (isArea(meta)) {
    node = svg('rect', {
      x: 2, y: 3, width: 14, height: 12, fill: color, 'fill-opacity': 0.45, stroke: color,
      'stroke-width': 2, 'stroke-dasharray': isDashed(meta, status) ? '4 2' : null,
    });
  } else if (shape === 'square') {
    node = svg('rect', { x: 3.5, y: 3.5, width: 11, height: 11, fill: color, stroke, 'stroke-width': 1.5 });
  } else if (shape === 'triangle') {
    node = svg('polygon', { points: '9,2 16,15 2,15', fill: color, stroke, 'stroke-width': 1.5 });
  } else if (shape === 'diamond') {
    node = svg('polygon', { points: '9,1.5 16.5,9 9,16.5 1.5,9', fill: color, stroke, 'stroke-width': 1.5 });
  } else if (age === 'old') {
    node = svg('circle', { cx: 9, cy: 9, r: 5, fill: color, 'fill-opacity': 0.4, stroke: '#6b6b6b', 'stroke-width': 1 });
  } else {
    node = svg('circle', { cx: 9, cy: 9, r: 6, fill: color, stroke, 'stroke-width': 1.5 });
  }
  box.append(node);
  return box;
}

/** The colour a layer is known by when nothing is loaded: its first status. */
export function mainStatus(meta) {
  return Object.keys(meta.status || {})[0] || '';
}

/** The status a layer is shown with in the legend, list and statistics
 * headings: its most frequent published one (one colour everywhere). */
export function layerStatus(meta, features) {
  const counts = new Map();
  for (const f of features || []) counts.set(f.properties.status, (counts.get(f.properties.status) || 0) + 1);
  let best = mainStatus(meta);
  for (const status of Object.keys(meta.status || {})) {
    if ((counts.get(status) || 0) > (counts.get(best) || 0)) best = status;
  }
  return best;
}

/** The statuses worth listing in the legend and filters: those some
 * published feature has (all of them while the features are not loaded). */
export function presentStatuses(meta, features) {
  const all = Object.keys(meta.status || {});
  if (!features) return all;
  const present = new Set(features.map((f) => f.properties.status));
  return all.filter((s) => present.has(s));
}
