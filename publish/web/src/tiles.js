// A large manifest layer published with a PMTiles archive (built by the
// endpoint with tippecanoe, docs/release-format.md): drawn on canvas tiles
// from the archive, read with HTTP range requests (the `pmtiles` package),
// instead of the GeoJSON blob. Every zoom draws something: below the
// archive's minzoom its minzoom tiles are drawn reduced, beyond its maxzoom
// the maxzoom tile is drawn magnified (symbols keep their size). Points are
// clusters up to cluster_maxzoom: a pie of the per-status counts around the
// count, so the count, not the colour alone, tells what is there.
//
// A filter the tiles cannot answer (district, search words: a cluster does
// not know its members) switches the layer to the features a caller gives
// (setFeatures: the matching features of the GeoJSON blob), drawn on the
// same canvas tiles. Taps are hit-tested against what is drawn.

import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { FetchSource, PMTiles } from 'pmtiles';
import { dataUrl } from './data.js';
import { GridLayer, Util } from './leaflet.js';
import {
  ZONE_MIN_PX, ageOf, areaOptions, hasAge, isArea, pointOptions, pointRadius, statusColor, traceShape,
  zoneMarkerOptions,
} from './symbols.js';
import { idOf } from './hints.js';

const TILE = 256;
const CACHE_TILES = 192; // decoded tiles kept (a phone screen holds ~15)
const CLUSTER_LOWER = 2; // clusters are read this many zooms below the map (_dataTiles)
const MAX_REDUCE = 2; // below minzoom: at most 4 x 4 data tiles per map tile
const MAX_LOOKUP_TILES = 9; // maxzoom tiles a popup reads at most to find a low-zoom feature
// header + root directory of a province's archive: the root lists the tiles
// below the maximum zoom itself, a few hundred bytes (vectortiles.py
// join_zoom_ranges); the maximum zoom is behind leaf directories
const HEAD_BYTES = 1024;

/** pmtiles reads an archive's header and root directory with one 16 KiB
 * range. A province's archive has them in its first few hundred bytes: ask
 * for HEAD_BYTES, and for the rest of the root directory only when the
 * header says it is longer (a phone on 3G saves 15 KiB an archive). */
class HeadFirstSource {
  constructor(url) {
    this.inner = new FetchSource(url);
  }

  getKey() {
    return this.inner.getKey();
  }

  async getBytes(offset, length, signal, etag) {
    if (offset !== 0 || length <= HEAD_BYTES) return this.inner.getBytes(offset, length, signal, etag);
    const head = await this.inner.getBytes(0, HEAD_BYTES, signal, etag);
    const got = head.data.byteLength;
    if (got < 127) return head; // not an archive: pmtiles says so
    const view = new DataView(head.data);
    // root directory offset and length: little-endian uint64 at 8 and 16
    const end = Math.min(length, Number(view.getBigUint64(8, true) + view.getBigUint64(16, true)));
    if (end <= got) return head;
    const rest = await this.inner.getBytes(got, end - got, signal, head.etag);
    const data = new Uint8Array(got + rest.data.byteLength);
    data.set(new Uint8Array(head.data));
    data.set(new Uint8Array(rest.data), got);
    return { ...head, data: data.buffer };
  }
}

/** Is a manifest layer's `tiles` member a PMTiles archive this map reads?
 * (A release of the old format names z/x/y tiles: its blob is drawn.) */
export function isTiled(meta) {
  const t = meta && meta.tiles;
  return Boolean(t && t.format === 'pmtiles' && typeof t.href === 'string');
}

/** A tile feature's per-status counts when it is a cluster, else null. */
export function clusterCounts(meta, props) {
  if (!(props.clustered === true || props.clustered === 'true')) return null;
  const counts = [];
  for (const status of Object.keys(meta.status || {})) {
    const n = Number(props[`n_${status}`]) || 0;
    if (n > 0) counts.push([status, n]);
  }
  if (!counts.length) counts.push([props.status, Number(props.point_count) || 1]);
  return counts;
}

/** "87", "1.2k", "12k": a cluster's label fits its disc. */
export function shortCount(n) {
  if (n < 1000) return String(n);
  if (n < 10000) return `${(Math.floor(n / 100) / 10).toString()}k`;
  return `${Math.floor(n / 1000)}k`;
}

function clusterRadius(n) {
  return Math.min(19, 10 + 2.5 * Math.log10(Math.max(n, 1)));
}

const CELL = TILE / 5; // one cluster symbol per cell: a whole grid of tiles aligns
// From the archive's maxzoom on every point is itself; where more than
// DENSE_SINGLES of them share a cell their symbols would pile into one blot,
// so that cell is drawn as a cluster (a tap zooms in) until DENSE_UNTIL.
const DENSE_SINGLES = 6;
const DENSE_UNTIL = 17;

/** The points and clusters of a map tile grouped by grid cell: one
 * cluster per cell at the members' weighted centre (moved inside the tile
 * so the tile does not cut it), or the points themselves when the cell
 * holds at most `maxSingles` points and no cluster. Members in the tile's
 * buffer belong to the neighbouring tile's cells: that tile draws their
 * cluster; their single points are drawn here too, so no edge cuts one. */
function groupCells(items, maxSingles = 1) {
  const cells = new Map();
  for (const it of items) {
    const outside = it.x < 0 || it.y < 0 || it.x >= TILE || it.y >= TILE;
    if (outside && maxSingles <= 1) continue;
    const key = `${Math.floor(it.x / CELL)}:${Math.floor(it.y / CELL)}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { sx: 0, sy: 0, n: 0, counts: new Map(), members: [], outside };
      cells.set(key, cell);
    }
    for (const [status, n] of it.counts) {
      cell.counts.set(status, (cell.counts.get(status) || 0) + n);
      cell.sx += it.x * n;
      cell.sy += it.y * n;
      cell.n += n;
    }
    cell.members.push(it);
  }
  const out = [];
  const last = TILE / CELL - 1;
  const dense = (key) => {
    const cell = cells.get(key);
    return Boolean(cell) && (cell.members.length > maxSingles || cell.members.some((m) => m.cluster));
  };
  for (const [key, cell] of cells) {
    if (cell.outside) {
      // a sliver of a neighbour's cell: its points complete their symbols
      // here unless the cell beside them on this side is a cluster (dense
      // places are dense on both sides of a tile edge)
      const [cx, cy] = key.split(':').map(Number);
      if (dense(`${Math.min(last, Math.max(0, cx))}:${Math.min(last, Math.max(0, cy))}`)) continue;
    }
    if (cell.members.length <= maxSingles && !cell.members.some((m) => m.cluster)) {
      for (const lone of cell.members) out.push({ x: lone.x, y: lone.y, counts: lone.counts, single: lone });
      continue;
    }
    if (cell.outside) continue; // the neighbouring tile's cluster
    // at the members' centre, kept inside its cell: symbols of neighbouring
    // cells (and tiles) never overlap and no tile edge cuts one
    const r = clusterRadius(cell.n) + 1;
    const x0 = Math.floor(cell.sx / cell.n / CELL) * CELL;
    const y0 = Math.floor(cell.sy / cell.n / CELL) * CELL;
    const clamp = (v, lo) => Math.min(lo + CELL - r, Math.max(lo + r, v));
    out.push({ x: clamp(cell.sx / cell.n, x0), y: clamp(cell.sy / cell.n, y0),
      counts: [...cell.counts.entries()], single: null });
  }
  return out;
}

function drawCluster(ctx, meta, unordered, x, y) {
  const order = Object.keys(meta.status || {});
  const counts = [...unordered].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  const total = counts.reduce((s, [, n]) => s + n, 0);
  const r = clusterRadius(total);
  // a pie of the statuses, most important (first in the model) from the top
  let angle = -Math.PI / 2;
  for (const [status, n] of counts) {
    const step = (2 * Math.PI * n) / total;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.arc(x, y, r, angle, angle + step);
    ctx.closePath();
    ctx.fillStyle = statusColor(meta, status);
    ctx.fill();
    angle += step;
  }
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#222222';
  ctx.stroke();
  // the count on a white disc: readable whatever the status colours
  ctx.beginPath();
  ctx.arc(x, y, r * 0.62, 0, 2 * Math.PI);
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  ctx.fillStyle = '#111111';
  ctx.font = `bold ${total >= 1000 ? 10 : 11}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(shortCount(total), x, y + 0.5);
  return r;
}

function drawPoint(ctx, meta, props, x, y) {
  const o = pointOptions(meta, props.status, hasAge(meta) ? ageOf(meta, props) : 'fresh');
  traceShape(ctx, o.shape, x, y, o.radius);
  ctx.globalAlpha = o.fillOpacity;
  ctx.fillStyle = o.fillColor;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.lineWidth = o.weight;
  ctx.strokeStyle = o.color;
  ctx.stroke();
}

function bboxOf(rings) {
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  for (const ring of rings) {
    for (const [x, y] of ring) {
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
    }
  }
  return [x0, y0, x1, y1];
}

/** A zone in screen pixels; too small to see, it gets the same square
 * frame as the GeoJSON layers draw (symbols.zoneMarkerOptions). */
function drawArea(ctx, meta, props, rings) {
  const o = areaOptions(meta, props.status);
  ctx.beginPath();
  for (const ring of rings) {
    ring.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.closePath();
  }
  ctx.globalAlpha = o.fillOpacity;
  ctx.fillStyle = o.fillColor;
  ctx.fill('evenodd');
  ctx.globalAlpha = 1;
  ctx.setLineDash(o.dashArray ? o.dashArray.split(' ').map(Number) : []);
  ctx.lineWidth = o.weight;
  ctx.strokeStyle = o.color;
  ctx.stroke();
  ctx.setLineDash([]);
  const [x0, y0, x1, y1] = bboxOf(rings);
  if (Math.max(x1 - x0, y1 - y0) < ZONE_MIN_PX) {
    const m = zoneMarkerOptions(meta, props.status);
    traceShape(ctx, 'square', (x0 + x1) / 2, (y0 + y1) / 2, m.radius);
    ctx.globalAlpha = m.fillOpacity;
    ctx.fillStyle = m.fillColor;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.setLineDash(m.dashArray ? m.dashArray.split(' ').map(Number) : []);
    ctx.lineWidth = m.weight;
    ctx.strokeStyle = m.color;
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

function insideRings(rings, x, y) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [ax, ay] = ring[i];
      const [bx, by] = ring[j];
      if ((ay > y) !== (by > y) && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
    }
  }
  return inside;
}

/** Web Mercator pixels at zoom 0 (a 256 px world), as Leaflet projects. */
function worldPx(lon, lat) {
  const s = Math.sin((Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI) / 180);
  return [((lon + 180) / 360) * TILE, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * TILE];
}

/** [x0, y0, x1, y1] in world pixels at zoom 0 of a GeoJSON geometry's
 * coordinates, null without any. */
function geometryBox(geometry) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      const [x, y] = worldPx(c[0], c[1]);
      box[0] = Math.min(box[0], x); box[1] = Math.min(box[1], y);
      box[2] = Math.max(box[2], x); box[3] = Math.max(box[3], y);
    } else c.forEach(walk);
  };
  if (geometry && geometry.coordinates) walk(geometry.coordinates);
  return box[0] <= box[2] ? box : null;
}

function projectGeometry(geometry) {
  if (!geometry) return null;
  if (geometry.type === 'Point') return { point: worldPx(...geometry.coordinates) };
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates]
    : geometry.type === 'MultiPolygon' ? geometry.coordinates : null;
  if (!polys) return null;
  const rings = polys.flat().map((ring) => ring.map(([lon, lat]) => worldPx(lon, lat)));
  return { rings, bbox: bboxOf(rings) };
}

export const VectorTileLayer = GridLayer.extend({
  options: { tileSize: TILE, updateWhenIdle: true, keepBuffer: 1 },

  /** meta: the manifest layer; how: {matches(props), statusShown(status),
   * onDrawn(), onFailed(error)}. */
  initialize(meta, how, options) {
    Util.setOptions(this, options);
    this._meta = meta;
    this._spec = meta.tiles;
    this._how = how;
    this._archive = new PMTiles(new HeadFirstSource(dataUrl(meta.tiles.href)));
    this._cache = new Map();
    this._drawn = new Map(); // map tile key -> what it drew
    this._own = null; // features given by setFeatures, projected
  },

  /** Draw these GeoJSON features instead of the archive (null: the archive). */
  setFeatures(features) {
    this._own = features && features.map((f) => ({ feature: f, at: projectGeometry(f.geometry) }))
      .filter((o) => o.at);
    if (this._map) this.redraw();
  },

  /** GridLayer.redraw asks for tiles at the map's zoom as it is, 9.5 at a
   * fractional zoom: redraw at the rounded tile zoom, as a view change does. */
  redraw() {
    if (this._map) {
      this._removeAllTiles();
      this._resetView();
    }
    return this;
  },

  drawsOwnFeatures() {
    return this._own != null;
  },

  /** The data tiles (at zooms the archive has) that cover a map tile, each
   * with its scale on the map tile (4 or 2 magnified, 0.5 reduced). Lower
   * than the map where that loses nothing the map shows, fewer bytes to
   * fetch: clusters two zooms lower (tippecanoe's 10 px become 40, still
   * finer than the map's CELL grid, a 16th of the features) and zones one
   * (simplified to 2 px instead of 1) - but never points that must stand
   * alone (above cluster_maxzoom). */
  _dataTiles(coords) {
    const min = this._spec.minzoom ?? 0;
    const max = this._spec.maxzoom ?? 14;
    const clusters = this._spec.cluster_maxzoom;
    const lower = clusters != null ? (coords.z <= clusters ? CLUSTER_LOWER : 0) : (isArea(this._meta) ? 1 : 0);
    const want = coords.z - lower;
    const z = Math.max(Math.min(want, max), Math.min(min, coords.z + MAX_REDUCE));
    if (z <= coords.z) {
      const dz = coords.z - z;
      return [{ z, x: coords.x >> dz, y: coords.y >> dz, scale: 2 ** dz }];
    }
    const n = 2 ** (z - coords.z);
    const out = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) out.push({ z, x: coords.x * n + i, y: coords.y * n + j, scale: 1 / n });
    }
    return out;
  },

  _features(z, x, y) {
    const n = 2 ** z;
    if (x < 0 || y < 0 || x >= n || y >= n) return Promise.resolve([]); // off the world
    const key = `${z}/${x}/${y}`;
    let promise = this._cache.get(key);
    if (promise) {
      this._cache.delete(key); // most recently used last
      this._cache.set(key, promise);
      return promise;
    }
    promise = this._archive.getZxy(z, x, y).then((tile) => {
      if (!tile || !tile.data || tile.data.byteLength === 0) return [];
      const layer = new VectorTile(new Pbf(new Uint8Array(tile.data))).layers[this._spec.layer];
      const out = [];
      for (let i = 0; layer && i < layer.length; i++) {
        const f = layer.feature(i);
        out.push({ raw: f, type: f.type, extent: f.extent, props: f.properties, geom: f.loadGeometry() });
      }
      return out;
    }, (error) => {
      this._cache.delete(key); // not remembered: a later view asks again
      if (this._how.onFailed) this._how.onFailed(`${error} (tile ${key})`);
      return [];
    });
    this._cache.set(key, promise);
    if (this._cache.size > CACHE_TILES) this._cache.delete(this._cache.keys().next().value);
    return promise;
  },

  createTile(coords, done) {
    const canvas = document.createElement('canvas');
    const ratio = window.devicePixelRatio || 1;
    canvas.width = TILE * ratio;
    canvas.height = TILE * ratio;
    const ctx = canvas.getContext('2d');
    ctx.scale(ratio, ratio);
    if (this._own) {
      const drawn = this._drawOwn(ctx, coords);
      setTimeout(() => {
        done(null, canvas);
        if (drawn && this._how.onDrawn) this._how.onDrawn();
      }, 0);
      return canvas;
    }
    const parts = this._dataTiles(coords);
    Promise.all(parts.map((d) => this._features(d.z, d.x, d.y))).then((lists) => {
      if (this._own) return done(null, canvas); // switched meanwhile: a redraw follows
      const drawn = this._drawTile(ctx, coords, parts, lists);
      this._drawn.set(this._tileCoordsToKey(coords), drawn);
      done(null, canvas);
      if ((drawn.points.length || drawn.areas.length) && this._how.onDrawn) this._how.onDrawn();
      return undefined;
    });
    return canvas;
  },

  onAdd(map) {
    GridLayer.prototype.onAdd.call(this, map);
    this.on('tileunload', this._forget, this);
  },

  onRemove(map) {
    this.off('tileunload', this._forget, this);
    this._drawn.clear();
    GridLayer.prototype.onRemove.call(this, map);
  },

  _forget(e) {
    this._drawn.delete(this._tileCoordsToKey(e.coords));
  },

  /** Map-tile pixels of a data tile's geometry point. */
  _px(coords, d, extent) {
    const k = (TILE * d.scale) / extent;
    const offX = (d.x * d.scale - coords.x) * TILE;
    const offY = (d.y * d.scale - coords.y) * TILE;
    return (p) => [p.x * k + offX, p.y * k + offY];
  },

  /** Draw a map tile from its data tiles: zones, then points. At cluster
   * zooms the points and clusters of each grid cell (CELL px) are drawn as
   * one cluster: the archive's clusters are as close as tippecanoe's
   * cluster distance, closer than a symbol with a count is wide. Returns
   * what was drawn, in tile pixels, for hit-testing. */
  _drawTile(ctx, coords, parts, lists) {
    const areas = [];
    const items = [];
    const clusterZoom = this._spec.cluster_maxzoom;
    let grouped = false;
    parts.forEach((d, i) => {
      if (clusterZoom != null && d.z <= clusterZoom) grouped = true;
      for (const f of lists[i]) {
        const isPolygon = f.type === 3 || (isArea(this._meta) && f.type !== 1);
        const px = this._px(coords, d, f.extent);
        if (isPolygon) {
          if (!this._how.matches(f.props)) continue;
          const rings = f.geom.map((ring) => ring.map(px));
          drawArea(ctx, this._meta, f.props, rings);
          areas.push({ rings, bbox: bboxOf(rings), f, d });
          continue;
        }
        const counts = clusterCounts(this._meta, f.props);
        const shown = counts ? counts.filter(([status]) => this._how.statusShown(status))
          : (this._how.matches(f.props) ? [[f.props.status, 1]] : []);
        if (!shown.length) continue;
        for (const ring of f.geom) {
          for (const p of ring) {
            const [x, y] = px(p);
            if (x < -30 || y < -30 || x > TILE + 30 || y > TILE + 30) continue;
            items.push({ x, y, counts: shown, cluster: Boolean(counts), f, d });
          }
        }
      }
    });
    const points = grouped ? groupCells(items)
      : coords.z < DENSE_UNTIL ? groupCells(items, DENSE_SINGLES)
        : items.map((it) => ({ ...it, single: it.cluster ? null : it }));
    for (const c of points) {
      if (c.single) {
        drawPoint(ctx, this._meta, c.single.f.props, c.x, c.y);
        c.r = pointRadius(this._meta);
      } else {
        c.r = drawCluster(ctx, this._meta, c.counts, c.x, c.y);
      }
    }
    return { points, areas };
  },

  _drawOwn(ctx, coords) {
    const s = 2 ** coords.z;
    const ox = coords.x * TILE;
    const oy = coords.y * TILE;
    const m = 30 / s; // margin in zoom-0 pixels: symbols over the tile edge
    const x0 = ox / s - m; const y0 = oy / s - m;
    const x1 = (ox + TILE) / s + m; const y1 = (oy + TILE) / s + m;
    let drawn = 0;
    for (const pass of ['rings', 'point']) {
      for (const { feature, at } of this._own) {
        if (!at[pass]) continue;
        if (at.point) {
          const [x, y] = at.point;
          if (x < x0 || y < y0 || x > x1 || y > y1) continue;
          drawPoint(ctx, this._meta, feature.properties, x * s - ox, y * s - oy);
        } else {
          const [bx0, by0, bx1, by1] = at.bbox;
          if (bx1 < x0 || by1 < y0 || bx0 > x1 || by0 > y1) continue;
          drawArea(ctx, this._meta, feature.properties,
            at.rings.map((ring) => ring.map(([x, y]) => [x * s - ox, y * s - oy])));
        }
        drawn++;
      }
    }
    return drawn;
  },

  /** What is under a map tap, from what the tiles drew: {feature}
   * (GeoJSON, id = the public id), {cluster: {latlng, count}} or null. */
  hitAt(latlng, map, tolerancePx = 12) {
    if (this._own) return this._hitOwn(latlng, map.getZoom(), tolerancePx);
    const tz = this._tileZoom;
    if (tz == null) return null;
    const scale = map.getZoomScale(map.getZoom(), tz);
    const p = map.project(latlng, tz);
    const tx = Math.floor(p.x / TILE);
    const ty = Math.floor(p.y / TILE);
    let best = null;
    let bestDist = Infinity;
    let area = null;
    // the tile under the tap and its neighbours: a symbol spans tile edges
    for (let i = -1; i <= 1; i++) {
      for (let j = -1; j <= 1; j++) {
        const drawn = this._drawn.get(`${tx + i}:${ty + j}:${tz}`);
        if (!drawn) continue;
        const lx = p.x - (tx + i) * TILE;
        const ly = p.y - (ty + j) * TILE;
        for (const c of drawn.points) {
          const dist = Math.hypot(c.x - lx, c.y - ly) * scale;
          if (dist <= Math.max(tolerancePx, c.r * scale) && dist < bestDist) {
            best = { c, tile: [tx + i, ty + j] };
            bestDist = dist;
          }
        }
        if (area || i || j) continue;
        for (const a of drawn.areas) {
          const [x0, y0, x1, y1] = a.bbox;
          const small = Math.max(x1 - x0, y1 - y0) * scale < ZONE_MIN_PX;
          const near = small && Math.hypot((x0 + x1) / 2 - lx, (y0 + y1) / 2 - ly) * scale
            <= ZONE_MIN_PX / 2 + 4;
          if (near || insideRings(a.rings, lx, ly)) { area = a; break; }
        }
      }
    }
    if (best && !best.c.single) {
      const [bx, by] = best.tile;
      const count = best.c.counts.reduce((s, [, n]) => s + n, 0);
      return { cluster: { latlng: map.unproject([bx * TILE + best.c.x, by * TILE + best.c.y], tz), count } };
    }
    const hit = best ? best.c.single : area;
    if (!hit) return null;
    const geojson = hit.f.raw.toGeoJSON(hit.d.x, hit.d.y, hit.d.z);
    // below maxzoom a tile has no uid: its feature id names the feature there
    geojson.id = idOf(this._meta, { properties: hit.f.props }) || null;
    return {
      feature: geojson, tileId: hit.f.raw.id, zoom: hit.d.z,
      partial: hit.d.z < (this._spec.maxzoom ?? 14),
    };
  },

  /** A tiled feature with every public property: below the archive's
   * maxzoom, tiles carry only what the map draws (status, exposure end...)
   * and the feature's tile id, so the feature with that id is read again
   * from the maxzoom tile under `lngLat` (its point, or the tap inside a
   * zone), where every feature is itself with all its properties and its
   * uid. The maxzoom tiles read are those under the low-zoom geometry
   * (`geometry`, drawn at `fromZoom`), widened by what rounding to that
   * zoom's tile grid may have moved it, the one under `lngLat` first: a
   * point on a tile edge may have been rounded across it. Null when none
   * holds it. */
  async fullFeature(tileId, geometry, fromZoom, lngLat) {
    const z = this._spec.maxzoom ?? 14;
    const s = 2 ** z;
    const [px, py] = worldPx(lngLat[0], lngLat[1]);
    const under = [Math.floor((px * s) / TILE), Math.floor((py * s) / TILE)];
    // rounding moves a vertex at most half a unit of 4096 a tile at fromZoom
    // (simplification a few): half a pixel there is ample
    const pad = 0.5 * 2 ** (z - fromZoom);
    const box = geometryBox(geometry) || [px, py, px, py];
    const tiles = [under];
    for (let x = Math.floor((box[0] * s - pad) / TILE); x <= Math.floor((box[2] * s + pad) / TILE); x++) {
      for (let y = Math.floor((box[1] * s - pad) / TILE); y <= Math.floor((box[3] * s + pad) / TILE); y++) {
        if ((x !== under[0] || y !== under[1]) && tiles.length < MAX_LOOKUP_TILES) tiles.push([x, y]);
      }
    }
    for (const [x, y] of tiles) {
      for (const f of await this._features(z, x, y)) {
        if (f.raw.id !== tileId) continue;
        const geojson = f.raw.toGeoJSON(x, y, z);
        geojson.id = idOf(this._meta, { properties: f.props });
        return geojson;
      }
    }
    return null;
  },

  _hitOwn(latlng, zoom, tolerancePx) {
    const s = 2 ** zoom;
    const [ux, uy] = worldPx(latlng.lng, latlng.lat);
    let best = null;
    let bestDist = Infinity;
    let area = null;
    for (const { feature, at } of this._own) {
      if (at.point) {
        const dist = Math.hypot(at.point[0] - ux, at.point[1] - uy) * s;
        if (dist <= tolerancePx && dist < bestDist) { best = feature; bestDist = dist; }
      } else if (!area) {
        const [x0, y0, x1, y1] = at.bbox;
        const small = Math.max(x1 - x0, y1 - y0) * s < ZONE_MIN_PX;
        const near = small && Math.hypot((x0 + x1) / 2 - ux, (y0 + y1) / 2 - uy) * s <= ZONE_MIN_PX / 2 + 4;
        if (near || insideRings(at.rings, ux, uy)) area = feature;
      }
    }
    const hit = best || area;
    return hit ? { feature: hit } : null;
  },
});

/** Show a tiled layer as the filters ask (main.js entry: {meta, tileLayer,
 * tilesFailed}): hidden, its archive, or - for a filter its clusters cannot
 * answer (district, search words) or when the archive cannot be read - the
 * matching features of its GeoJSON blob, loaded then. */
export function showTiled(app, entry, onBlobError) {
  const layer = entry.tileLayer;
  if (app.state.hiddenLayers.has(entry.meta.id)) {
    app.map.removeLayer(layer);
    return;
  }
  const added = !app.map.hasLayer(layer);
  layer.addTo(app.map);
  if (!entry.tilesFailed && !app.state.district && !app.state.query) {
    // a status switched on or off changes what the tiles draw: only then redraw
    const drawn = [...app.state.hiddenStatuses].filter((k) => k.startsWith(`${entry.meta.id}:`)).join();
    if (layer.drawsOwnFeatures()) layer.setFeatures(null);
    else if (!added && drawn !== entry.drawnStatuses) layer.redraw();
    entry.drawnStatuses = drawn;
    return;
  }
  app.ensureFeatures(entry.meta.id).then(() => {
    layer.setFeatures(app.visibleFeatures(entry.meta.id));
    app.panels.update(); // its counts are known now
  }).catch(() => {
    entry.status = 'error';
    onBlobError();
  });
}

/** A tap on a tiled layer: a cluster zooms in towards where its points
 * part, a point or zone opens its popup. Whether the tap hit something. */
export async function tapTiled(app, entry, latlng) {
  const hit = await entry.tileLayer.hitAt(latlng, app.map);
  if (hit && hit.cluster) {
    const zoom = Math.round(app.map.getZoom());
    const parts = (entry.meta.tiles.cluster_maxzoom ?? zoom) + 1;
    app.map.setView(hit.cluster.latlng, Math.max(zoom + 1, Math.min(zoom + 2, parts)));
    return true;
  }
  if (hit) app.openFeature(entry.meta.id, await completeFeature(app, entry, hit, latlng), { latlng });
  return Boolean(hit);
}

/** The feature a popup shows: the tapped one when its tile has every
 * property, else the one with the same tile id in the maxzoom tile, else
 * (that tile unreadable or without it) the partial one (its status). */
async function completeFeature(app, entry, hit, latlng) {
  if (!hit.partial) return hit.feature;
  const g = hit.feature.geometry;
  const at = g && g.type === 'Point' ? g.coordinates : [latlng.lng, latlng.lat];
  try {
    return (await entry.tileLayer.fullFeature(hit.tileId, g, hit.zoom, at)) || hit.feature;
  } catch (error) {
    return hit.feature;
  }
}
