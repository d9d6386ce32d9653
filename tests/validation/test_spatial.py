"""Geometry helpers: the fast paths give the same answers as the plain ones."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from qgis.core import QgsGeometry, QgsPoint
from validation_helpers import codes, make_layer, point, run, sound_attributes

from covidmaps_plugin.core.validation import spatial
from covidmaps_plugin.core.validation.spatial import (
    POINT_MISSING,
    POINT_OK,
    POINT_WRONG_TYPE,
    Region,
    point_arrays,
)

SHAPE = QgsGeometry.fromWkt(
    "POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))")


def test_point_arrays_decode_every_kind_of_point_wkb():
    big_endian = struct.pack(">BIdd", 0, 1, 3.5, -2.25)
    wkbs = [
        bytes(QgsGeometry(QgsPoint(1.5, 2.5)).asWkb()),  # the fast path
        big_endian,
        bytes(QgsGeometry(QgsPoint(7, 8, 9)).asWkb()),  # PointZ
        bytes(QgsGeometry.fromWkt("MULTIPOINT(1 1, 2 2)").asWkb()),
        None,
        bytes(QgsGeometry.fromWkt("POINT EMPTY").asWkb()),
    ]
    xs, ys, state = point_arrays(wkbs)
    assert state.tolist() == [POINT_OK, POINT_OK, POINT_OK, POINT_WRONG_TYPE, POINT_MISSING,
                              POINT_MISSING]
    assert xs[:3].tolist() == [1.5, 3.5, 7.0] and ys[:3].tolist() == [2.5, -2.25, 8.0]


@pytest.mark.parametrize("use_shapely", [True, False])
def test_region_contains_points_with_and_without_shapely(monkeypatch, use_shapely):
    if use_shapely and not spatial.HAVE_SHAPELY:
        pytest.skip("shapely is not installed")
    monkeypatch.setattr(spatial, "HAVE_SHAPELY", use_shapely)
    region = Region(SHAPE)
    xs = np.array([1.0, 5.0, 11.0, 9.99, -1.0])
    ys = np.array([1.0, 5.0, 5.0, 9.99, 5.0])
    assert region.contains_points(xs, ys).tolist() == [True, False, False, True, False]
    assert region.contains_points(np.zeros(0), np.zeros(0)).tolist() == []


def test_same_findings_without_shapely(monkeypatch):
    layers = {"risk_points": make_layer("risk_points", [
        (point(), sound_attributes("risk_points")),
        (point(105.85, 21.03), sound_attributes("risk_points", name="Hà Nội"))])}
    with_accelerator = codes(run(layers))
    monkeypatch.setattr(spatial, "HAVE_SHAPELY", False)
    assert codes(run(layers)) == with_accelerator == ["GEOM_OUTSIDE_PROVINCE"]
