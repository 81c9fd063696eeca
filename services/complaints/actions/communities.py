"""Communities (ชุมชน) of the town placed on the map."""

from __future__ import annotations

from django.db import transaction

from services.accounts.models import User
from tenants.current import current_town

from .. import geo
from ..models import (
    Community,
)
from .common import require_permission


@transaction.atomic
def set_community_location(*, community_id: int, by: User, latitude, longitude) -> Community:
    """Place a community (or clear its place with two empty values); the point must be in the town."""
    require_permission(by, "complaints.manage_oss_settings")
    community = Community.objects.select_for_update().get(pk=community_id)
    if str(latitude).strip() == "" and str(longitude).strip() == "":
        community.latitude = community.longitude = None
    else:
        community.latitude = geo.parse_coordinate(latitude, low=-90, high=90, name="latitude")
        community.longitude = geo.parse_coordinate(longitude, low=-180, high=180, name="longitude")
        geo.require_inside_boundary(current_town(), community.latitude, community.longitude)
    community.save(update_fields=["latitude", "longitude"])
    return community
