// A manifest layer published as vector tiles (tiles/<sha>/{z}/{x}/{y}.pbf):
// drawn on canvas tiles from the .pbf files instead of the GeoJSON blob.
// Beyond maxzoom the maxzoom tile is drawn magnified (symbols keep their
// size); below minzoom nothing is drawn. Taps are hit-tested against the
// decoded features of the tile under the finger.

import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { dataUrl } from './data.js';
import { GridLayer, Util } from './leaflet.js';
import { ageOf, areaOptions, hasAge, isArea, pointOptions, traceShape } from './symbols.js';

const TILE = 256;

function tileUrl(template, z, x, y) {
  return dataUrl(template.replace('{z}', z).replace('{x}', x).replace('{y}', y));
}

export const VectorTileLayer = GridLayer.extend({
  options: { tileSize: TILE, updateWhenIdle: true, keepBuffer: 1 },

  initialize(meta, filter, onDrawn, options) {
    Util.setOptions(this, options);
    this._meta = meta;
    this._spec = meta.tiles;
    this._filter = filter;
    this._onDrawn = onDrawn;
    this._cache = new Map();
  },

  /** Whether the layer draws anything at a map zoom: map tiles are fetched
   * at the rounded zoom, and none below the tile set's minzoom. */
  drawsAt(zoom) {
    return Math.round(zoom) >= (this._spec.minzoom ?? 0);
  },

  /** The data tile (at a zoom the tile set has) that covers a map tile. */
  _dataTile(coords) {
    const z = Math.min(coords.z, this._spec.maxzoom ?? 14);
    const dz = coords.z - z;
    return { z, x: coords.x >> dz, y: coords.y >> dz, dz };
  },

  _features(z, x, y) {
    const key = `${z}/${x}/${y}`;
    if (!this._cache.has(key)) {
      const promise = fetch(tileUrl(this._spec.href, z, x, y))
        .then((r) => (r.ok ? r.arrayBuffer() : null))
        .then((buf) => {
          if (!buf || buf.byteLength === 0) return [];
          const layer = new VectorTile(new Pbf(buf)).layers[this._spec.layer];
          const out = [];
          for (let i = 0; layer && i < layer.length; i++) {
            const f = layer.feature(i);
            out.push({ raw: f, type: f.type, extent: f.extent, props: f.properties, geom: f.loadGeometry() });
          }
          return out;
        })
        .catch(() => []);
      this._cache.set(key, promise);
    }
    return this._cache.get(key);
  },

  createTile(coords, done) {
    const canvas = document.createElement('canvas');
    const ratio = window.devicePixelRatio || 1;
    canvas.width = TILE * ratio;
    canvas.height = TILE * ratio;
    if (!this.drawsAt(coords.z)) {
      setTimeout(() => done(null, canvas), 0);
      return canvas;
    }
    const d = this._dataTile(coords);
    this._features(d.z, d.x, d.y).then((features) => {
      const drawn = this._draw(canvas.getContext('2d'), ratio, coords, d, features);
      done(null, canvas);
      if (drawn && this._onDrawn) this._onDrawn();
    });
    return canvas;
  },

  _draw(ctx, ratio, coords, d, features) {
    const scale = 2 ** d.dz;
    const offX = (coords.x - d.x * scale) * TILE;
    const offY = (coords.y - d.y * scale) * TILE;
    ctx.scale(ratio, ratio);
    let drawn = 0;
    for (const f of features) {
      if (!this._filter(f.props)) continue;
      const k = (TILE * scale) / f.extent;
      const px = (p) => [p.x * k - offX, p.y * k - offY];
      if (f.type === 1) {
        const o = pointOptions(this._meta, f.props.status, hasAge(this._meta) ? ageOf(f.props) : 'fresh');
        for (const ring of f.geom) {
          for (const p of ring) {
            const [x, y] = px(p);
            if (x < -20 || y < -20 || x > TILE + 20 || y > TILE + 20) continue;
            traceShape(ctx, o.shape, x, y, o.radius);
            ctx.globalAlpha = o.fillOpacity;
            ctx.fillStyle = o.fillColor;
            ctx.fill();
            ctx.globalAlpha = 1;
            ctx.lineWidth = o.weight;
            ctx.strokeStyle = o.color;
            ctx.stroke();
            drawn++;
          }
        }
      } else if (f.type === 3 || isArea(this._meta)) {
        const o = areaOptions(this._meta, f.props.status);
        ctx.beginPath();
        for (const ring of f.geom) {
          ring.forEach((p, i) => {
            const [x, y] = px(p);
            if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
          });
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
        drawn++;
      }
    }
    return drawn;
  },

  /** The feature (as GeoJSON) under a map click, if a loaded tile has one. */
  async featureAt(latlng, map, tolerancePx = 12) {
    const zoom = Math.round(map.getZoom());
    if (!this.drawsAt(zoom)) return null;
    const d = this._dataTile({ z: zoom, x: 0, y: 0 });
    const world = TILE * 2 ** d.z;
    const p = map.project(latlng, d.z);
    const tx = Math.floor(p.x / TILE);
    const ty = Math.floor(p.y / TILE);
    const features = await this._features(d.z, tx, ty);
    const magnify = 2 ** (map.getZoom() - d.z);
    let best = null;
    let bestDist = Infinity;
    for (const f of features) {
      if (!this._filter(f.props)) continue;
      const k = f.extent / TILE;
      const ux = (p.x - tx * TILE) * k;
      const uy = (p.y - ty * TILE) * k;
      if (f.type === 1) {
        for (const ring of f.geom) {
          for (const q of ring) {
            const dist = Math.hypot(q.x - ux, q.y - uy) / k * magnify;
            if (dist <= tolerancePx && dist < bestDist) { best = f; bestDist = dist; }
          }
        }
      } else if (f.type === 3 && insideRings(f.geom, ux, uy) && bestDist === Infinity) {
        best = f;
      }
    }
    if (!best || world <= 0) return null;
    const geojson = best.raw.toGeoJSON(tx, ty, d.z);
    geojson.id = best.props.uid ?? best.raw.id;
    return geojson;
  },
});

function insideRings(rings, x, y) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      if ((a.y > y) !== (b.y > y) && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
    }
  }
  return inside;
}
