"""/api/v1/food/: food premises notifications (≤200 m²), register and verification."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from api.paging import paged
from api.v1.casework import base
from services.casework.models import CaseKind
from services.food_premises.actions import save_notification_draft
from services.food_premises.models import BusinessKind, OperatorType

KIND = CaseKind.FOOD_NOTIFICATION


class FoodNotificationInput(serializers.Serializer):
    applicant_name = serializers.CharField(max_length=200)
    applicant_national_id = serializers.CharField(max_length=17)
    applicant_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    applicant_email = serializers.EmailField(required=False, allow_blank=True, default="")
    operator_type = serializers.ChoiceField(choices=OperatorType.choices)
    operator_name = serializers.CharField(max_length=200)
    operator_id = serializers.CharField(max_length=17, required=False, allow_blank=True, default="")
    premises_name = serializers.CharField(max_length=200)
    address = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    business_kind = serializers.ChoiceField(choices=BusinessKind.choices)
    area_m2 = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="at most 200")
    food_types = serializers.CharField()
    seats = serializers.IntegerField(default=0)
    staff_count = serializers.IntegerField()
    hygiene_self_check = serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        default=dict,
        help_text="hygiene checklist code → true/false",
    )


class FoodMixin:
    kind = KIND
    detail_input = FoodNotificationInput
    save_draft = staticmethod(save_notification_draft)


@extend_schema_view(
    get=extend_schema(operation_id="food_cases_list", responses={200: paged(base.CaseOutput, "FoodCasePage")}),
    post=extend_schema(
        operation_id="food_cases_create",
        request=FoodNotificationInput,
        responses={201: base.CaseDetailOutput},
    ),
)
class FoodNotifications(FoodMixin, base.CaseListBase):
    pass


@extend_schema_view(
    get=extend_schema(operation_id="food_case_retrieve", responses={200: base.CaseDetailOutput}),
    put=extend_schema(
        operation_id="food_case_update", request=FoodNotificationInput, responses={200: base.CaseDetailOutput}
    ),
)
class FoodNotification(FoodMixin, base.CaseDetailBase):
    pass


class FoodDocuments(FoodMixin, base.CaseDocumentsBase):
    pass


class FoodSubmit(FoodMixin, base.CaseSubmitBase):
    pass


class FoodStep(FoodMixin, base.CaseStepBase):
    pass


class FoodRegister(base.RegisterBase):
    kind = KIND


class FoodVerify(base.VerifyBase):
    kind = KIND
