// Symbols from the manifest's style: colour per status, shape per layer
// (circle, square, triangle, diamond; fill for zones) and dash pattern per
// zone status, so that status never depends on colour alone.

import { svg } from './dom.js';

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

export function pointOptions(meta, status) {
  return {
    shape: (meta.style && meta.style.symbol) || 'circle',
    radius: pointRadius(meta),
    color: (meta.style && meta.style.stroke) || '#222222',
    weight: 1.5,
    fillColor: statusColor(meta, status),
    fillOpacity: 0.95,
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
export function swatch(meta, status) {
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
  } else {
    node = svg('circle', { cx: 9, cy: 9, r: 6, fill: color, stroke, 'stroke-width': 1.5 });
  }
  box.append(node);
  return box;
}

/** The colour a layer is known by in the legend: its first status. */
export function mainStatus(meta) {
  return Object.keys(meta.status || {})[0] || '';
}
