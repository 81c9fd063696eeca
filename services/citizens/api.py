"""GET /api/v1/me/requests/ — the signed-in citizen's requests across the five services (session auth)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.views import APIView

from api.paging import paged

from .my_requests import requests_of


class IsCitizen(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.kind == "citizen")


class RequestItem(serializers.Serializer):
    service = serializers.ChoiceField(choices=["complaint", "permit", "food", "bill", "receipt"])
    service_label = serializers.CharField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    next_step = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    at = serializers.DateTimeField()
    url = serializers.CharField()


class Page(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class MyRequests(APIView):
    """Every complaint, permit application, food notification, bill and receipt of the signed-in
    citizen, newest first, with status, next step and due date."""

    permission_classes = [IsAuthenticated, IsCitizen]

    @extend_schema(responses={200: paged(RequestItem, "MyRequestsPage")}, operation_id="my_requests")
    def get(self, request):
        paginator = Page()
        page = paginator.paginate_queryset(requests_of(request.user), request, view=self)
        return paginator.get_paginated_response(RequestItem([item.as_dict() for item in page], many=True).data)
