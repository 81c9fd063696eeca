"""/api/platform/v1/municipalities/ — towns for DGA admins' scripts: list, create (validated like the
wizard), provision, status, suspend, reactivate. Token auth (POST auth/token/ on the platform host)."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import IsPlatformAdmin
from api.errors import error_body
from api.paging import paged
from onboarding import actions
from onboarding.pipeline import STEPS
from onboarding.selectors import town_health, towns_for_console
from onboarding.spec import SpecInvalid
from services.common.params import query_param
from tenants.models import Municipality


class MunicipalityOutput(serializers.ModelSerializer):
    host = serializers.CharField(source="primary_host")
    health = serializers.SerializerMethodField()

    class Meta:
        model = Municipality
        fields = [
            "slug",
            "host",
            "name_th",
            "name_en",
            "short_code",
            "kind",
            "lao_code",
            "tax_id",
            "province_code",
            "province",
            "district_code",
            "district",
            "status",
            "status_reason",
            "enabled_services",
            "staff_count",
            "last_activity_at",
            "went_live_at",
            "health",
            "created_at",
        ]

    def get_health(self, town) -> str:
        return town_health(town)


class PersonInput(serializers.Serializer):
    name = serializers.CharField(required=False, help_text="Full name, or first_name + last_name")
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    email = serializers.EmailField()
    phone = serializers.CharField(required=False, allow_blank=True)
    department = serializers.CharField(required=False, allow_blank=True, help_text="department code")
    roles = serializers.ListField(child=serializers.CharField(), required=False)
    username = serializers.CharField(required=False)


class DepartmentInput(serializers.Serializer):
    code = serializers.SlugField()
    name_th = serializers.CharField()
    name_en = serializers.CharField(required=False, allow_blank=True)


class MunicipalityCreateInput(serializers.Serializer):
    """The same fields as the onboarding wizard and `provision_town` files; validated by the same forms."""

    name_th = serializers.CharField()
    name_en = serializers.CharField()
    short_code = serializers.CharField(help_text="2–5 capital letters, prefix of tracking numbers")
    kind = serializers.ChoiceField(choices=["city", "town", "subdistrict", "sao"])
    lao_code = serializers.CharField(help_text="8 digits")
    province_code = serializers.CharField(help_text="DOPA 2-digit code")
    district_code = serializers.CharField(help_text="DOPA 4-digit code")
    tax_id = serializers.CharField(help_text="13 digits with a valid check digit")
    address = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.EmailField()
    slug = serializers.CharField(help_text="subdomain: 3–30 lowercase letters, digits, hyphens")
    custom_domain = serializers.CharField(required=False, allow_blank=True)
    boundary = serializers.JSONField(help_text="GeoJSON Polygon/MultiPolygon (WGS 84) inside Thailand")
    communities = serializers.ListField(child=serializers.CharField(), required=False)
    services = serializers.JSONField(help_text='{"enabled": [...], "<service>": {settings}}')
    departments = DepartmentInput(many=True)
    admin = PersonInput()
    staff = PersonInput(many=True, required=False)
    branding = serializers.JSONField(
        required=False, help_text="{colour, welcome_th, welcome_en, logo_png_b64}"
    )


class StepOutput(serializers.Serializer):
    name = serializers.CharField()
    label_th = serializers.CharField()
    label_en = serializers.CharField()
    state = serializers.CharField()
    seconds = serializers.FloatField(required=False)
    detail = serializers.CharField(required=False)


class ProvisioningStatusOutput(serializers.Serializer):
    slug = serializers.CharField()
    status = serializers.CharField()
    job_id = serializers.UUIDField(allow_null=True)
    job_status = serializers.CharField(allow_null=True)
    method = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    steps = StepOutput(many=True)


class StatusChangeInput(serializers.Serializer):
    reason = serializers.CharField(min_length=5)


def _status_body(town: Municipality) -> dict:
    job = town.provisioning_jobs.order_by("-created_at").first()
    steps = []
    for code, th, en in STEPS:
        step = (job.step(code) if job else None) or {"state": "pending"}
        steps.append(
            {"name": code, "label_th": th, "label_en": en, **{k: v for k, v in step.items() if k != "name"}}
        )
    return ProvisioningStatusOutput(
        {
            "slug": town.slug,
            "status": town.status,
            "job_id": job.public_id if job else None,
            "job_status": job.status if job else None,
            "method": job.method if job else "",
            "error": job.error if job else "",
            "steps": steps,
        }
    ).data


class MunicipalityList(APIView):
    permission_classes = [IsPlatformAdmin]
    # A town is a nested document (admin, staff, departments, services): JSON only, never a flat form.
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="municipalities_list",
        responses={200: paged(MunicipalityOutput, "MunicipalityPage")},
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("province", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str),
        ],
    )
    def get(self, request):
        towns = towns_for_console(
            query=query_param(request.query_params, "q"),
            province=query_param(request.query_params, "province"),
            kind=query_param(request.query_params, "kind"),
            status=query_param(request.query_params, "status"),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(towns, request, view=self)
        return paginator.get_paginated_response(MunicipalityOutput(page, many=True).data)

    @extend_schema(
        operation_id="municipalities_create",
        request=MunicipalityCreateInput,
        responses={201: ProvisioningStatusOutput},
    )
    def post(self, request):
        """Register a town (status draft). Nothing is written when any field is invalid."""
        if not isinstance(request.data, dict):
            return Response(error_body("invalid"), status=status.HTTP_400_BAD_REQUEST)
        try:
            with transaction.atomic():
                job = actions.register_town(spec=dict(request.data), by=request.user)
        except SpecInvalid as exc:
            return Response(error_body("invalid", fields=exc.errors), status=status.HTTP_400_BAD_REQUEST)
        return Response(_status_body(job.municipality), status=status.HTTP_201_CREATED)


class MunicipalityDetail(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(operation_id="municipalities_retrieve", responses={200: MunicipalityOutput})
    def get(self, request, slug):
        return Response(MunicipalityOutput(get_object_or_404(Municipality, slug=slug)).data)


class MunicipalityStatus(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(operation_id="municipalities_status", responses={200: ProvisioningStatusOutput})
    def get(self, request, slug):
        """The town's status and its latest provisioning job, step by step."""
        return Response(_status_body(get_object_or_404(Municipality, slug=slug)))


class MunicipalityProvision(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(
        operation_id="municipalities_provision", request=None, responses={202: ProvisioningStatusOutput}
    )
    def post(self, request, slug):
        """Start (or resume) provisioning on Celery; poll the status endpoint for progress."""
        town = get_object_or_404(Municipality, slug=slug)
        job = town.provisioning_jobs.order_by("-created_at").first()
        if job is None:
            return Response(
                error_body("not_found", detail="no provisioning job for this town"),
                status=status.HTTP_404_NOT_FOUND,
            )
        with transaction.atomic():
            actions.start_provisioning(job=job)
        return Response(_status_body(town), status=status.HTTP_202_ACCEPTED)


class _StatusChange(APIView):
    permission_classes = [IsPlatformAdmin]
    action_name = ""

    def post(self, request, slug):
        town = get_object_or_404(Municipality, slug=slug)
        data = StatusChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            getattr(actions, self.action_name)(
                town=town, reason=data.validated_data["reason"], by=request.user
            )
        except actions.StatusChangeRefused as exc:
            return Response(
                error_body("transition_not_allowed", detail=str(exc)), status=status.HTTP_409_CONFLICT
            )
        town.refresh_from_db()
        return Response(MunicipalityOutput(town).data)


class MunicipalitySuspend(_StatusChange):
    action_name = "suspend_town"

    @extend_schema(
        operation_id="municipalities_suspend", request=StatusChangeInput, responses={200: MunicipalityOutput}
    )
    def post(self, request, slug):
        """Suspend a live town (its portal shows a notice; data untouched). Audited with the reason."""
        return super().post(request, slug)


class MunicipalityReactivate(_StatusChange):
    action_name = "reactivate_town"

    @extend_schema(
        operation_id="municipalities_reactivate",
        request=StatusChangeInput,
        responses={200: MunicipalityOutput},
    )
    def post(self, request, slug):
        return super().post(request, slug)
