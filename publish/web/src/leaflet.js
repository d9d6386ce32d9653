// The parts of Leaflet the map uses, plus a canvas marker that draws the
// manifest's symbol shapes (square, triangle, diamond) as well as circles.

import {
  Canvas, CircleMarker, GeoJSON, GridLayer, LayerGroup, Map as LeafletMap, Popup, TileLayer,
  Util, circle, control, latLng, latLngBounds,
} from 'leaflet/dist/leaflet-src.esm.js';
import 'leaflet/dist/leaflet.css';
import { traceShape } from './symbols.js';

Canvas.include({
  _updateShape(layer) {
    if (!this._drawing || layer._empty()) return;
    const p = layer._point;
    traceShape(this._ctx, layer.options.shape, p.x, p.y, Math.max(Math.round(layer._radius), 1));
    this._fillStroke(this._ctx, layer);
  },
});

export const ShapeMarker = CircleMarker.extend({
  options: { shape: 'circle' },
  _updatePath() {
    if (this.options.shape === 'circle' || !this._renderer._updateShape) {
      CircleMarker.prototype._updatePath.call(this);
    } else {
      this._renderer._updateShape(this);
    }
  },
});

export {
  Canvas, GeoJSON, GridLayer, LayerGroup, LeafletMap, Popup, TileLayer, Util, circle, control,
  latLng, latLngBounds,
};
