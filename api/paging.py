"""OpenAPI description of a page from rest_framework's PageNumberPagination, for APIViews that
paginate by hand: `{"count", "next", "previous", "results": [...]}`, not a bare list."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


def paged(item: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """A response schema for one page of `item`; `name` must be unique in the schema."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
