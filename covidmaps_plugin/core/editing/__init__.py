"""Editing logic behind the officer's tools (``qgis.core`` only, no widgets).

The GUI in ``gui/tools`` is a thin layer over these functions, which the
tests drive directly on real layers.
"""

from .admin_lookup import AdminLocation, AdminLookup, AdminUnits
from .daily_actions import (
    apply_changes,
    close_facilities,
    close_points,
    disband_checkpoints,
    expire_risk_points,
    expired_risk_point_ids,
    extend_zones,
    facility_figures,
    lift_zones,
    update_figures,
    update_occupancy,
)
from .errors import EditRefusedError
from .new_feature import current_user, initial_attributes, new_feature, now_in_province
from .zone_geometry import as_multipolygon, zone_around_point, zone_from_admin_units

__all__ = [
    "AdminLocation", "AdminLookup", "AdminUnits", "EditRefusedError",
    "apply_changes", "as_multipolygon", "close_facilities", "close_points", "current_user",
    "disband_checkpoints", "expire_risk_points", "expired_risk_point_ids", "extend_zones",
    "initial_attributes", "lift_zones", "new_feature", "now_in_province",
    "facility_figures", "update_figures", "update_occupancy", "zone_around_point",
    "zone_from_admin_units",
]
