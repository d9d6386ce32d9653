// Geometry in the browser for "near me": distances on the sphere, and
// point-in-polygon / distance-to-polygon on a local flat projection (good to
// a few metres at the scale of a province).

const R = 6371008.8;
const RAD = Math.PI / 180;

export function haversine(lon1, lat1, lon2, lat2) {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2
    + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Polygons of a Polygon or MultiPolygon geometry, as arrays of rings. */
export function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

function ringContains(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Is (lon, lat) inside the polygon geometry (holes excluded)? */
export function containsPoint(geometry, lon, lat) {
  return polygonsOf(geometry).some(
    (rings) => rings.length > 0 && ringContains(rings[0], lon, lat)
      && !rings.slice(1).some((hole) => ringContains(hole, lon, lat)),
  );
}

function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const k = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + k * dx), py - (ay + k * dy));
}

/** Metres from (lon, lat) to a feature geometry: 0 inside a polygon. */
export function distanceTo(geometry, lon, lat) {
  if (!geometry) return Infinity;
  if (geometry.type === 'Point') {
    const [x, y] = geometry.coordinates;
    return haversine(lon, lat, x, y);
  }
  if (containsPoint(geometry, lon, lat)) return 0;
  // metres per degree around the user: a local equirectangular projection
  const mx = R * RAD * Math.cos(lat * RAD);
  const my = R * RAD;
  let best = Infinity;
  for (const rings of polygonsOf(geometry)) {
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) {
        const d = segmentDistance(
          0, 0,
          (ring[i - 1][0] - lon) * mx, (ring[i - 1][1] - lat) * my,
          (ring[i][0] - lon) * mx, (ring[i][1] - lat) * my,
        );
        if (d < best) best = d;
      }
    }
  }
  return best;
}

/** [lon, lat] to show a feature at: the point, or the middle of its bbox. */
export function anchorOf(geometry) {
  if (!geometry) return null;
  if (geometry.type === 'Point') return geometry.coordinates;
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  for (const rings of polygonsOf(geometry)) {
    for (const [x, y] of rings[0] || []) {
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
  }
  return Number.isFinite(x0) ? [(x0 + x1) / 2, (y0 + y1) / 2] : null;
}

export function boundsOf(geometry) {
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      x0 = Math.min(x0, c[0]); y0 = Math.min(y0, c[1]);
      x1 = Math.max(x1, c[0]); y1 = Math.max(y1, c[1]);
    } else c.forEach(visit);
  };
  if (geometry && geometry.coordinates) visit(geometry.coordinates);
  return Number.isFinite(x0) ? [x0, y0, x1, y1] : null;
}
