"""/api/v1/permits/: building permit applications (≤150 m²), register and verification."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from api.paging import paged
from api.v1.casework import base
from services.building_permits.actions import save_application_draft
from services.building_permits.models import BuildingUse, DeedType, PlanSource
from services.casework.models import CaseKind

KIND = CaseKind.BUILDING_PERMIT


class PermitApplicationInput(serializers.Serializer):
    applicant_name = serializers.CharField(max_length=200)
    applicant_national_id = serializers.CharField(max_length=17)
    applicant_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    applicant_email = serializers.EmailField(required=False, allow_blank=True, default="")
    applicant_is_owner = serializers.BooleanField(default=True)
    owner_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    owner_national_id = serializers.CharField(max_length=17, required=False, allow_blank=True, default="")
    deed_type = serializers.ChoiceField(choices=DeedType.choices)
    deed_number = serializers.CharField(max_length=30)
    parcel_number = serializers.CharField(max_length=30)
    survey_page = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    building_use = serializers.ChoiceField(choices=BuildingUse.choices)
    floors = serializers.IntegerField()
    height_m = serializers.DecimalField(max_digits=5, decimal_places=2)
    floor_area_m2 = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="at most 150")
    plan_source = serializers.ChoiceField(choices=PlanSource.choices)
    standard_plan = serializers.IntegerField(required=False, allow_null=True, default=None)
    engineer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    engineer_licence = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    architect_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    architect_licence = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class PermitMixin:
    kind = KIND
    detail_input = PermitApplicationInput
    save_draft = staticmethod(save_application_draft)


@extend_schema_view(
    get=extend_schema(operation_id="permits_cases_list", responses={200: paged(base.CaseOutput, "PermitCasePage")}),
    post=extend_schema(
        operation_id="permits_cases_create",
        request=PermitApplicationInput,
        responses={201: base.CaseDetailOutput},
    ),
)
class PermitApplications(PermitMixin, base.CaseListBase):
    pass


@extend_schema_view(
    get=extend_schema(operation_id="permits_case_retrieve", responses={200: base.CaseDetailOutput}),
    put=extend_schema(
        operation_id="permits_case_update",
        request=PermitApplicationInput,
        responses={200: base.CaseDetailOutput},
    ),
)
class PermitApplication(PermitMixin, base.CaseDetailBase):
    pass


class PermitDocuments(PermitMixin, base.CaseDocumentsBase):
    pass


class PermitSubmit(PermitMixin, base.CaseSubmitBase):
    pass


class PermitStep(PermitMixin, base.CaseStepBase):
    pass


class PermitRegister(base.RegisterBase):
    kind = KIND


class PermitVerify(base.VerifyBase):
    kind = KIND
