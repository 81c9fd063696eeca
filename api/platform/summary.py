"""/api/platform/v1/summary/ — the national monthly figures the DGA dashboard shows, for scripts and
other government systems: the country, or one province, district or town. Read from the summary
tables only (aggregates, no personal data). Token auth of a DGA admin."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import IsPlatformAdmin
from api.errors import error_body
from onboarding import national
from services.common.params import query_param
from tenants.models import SERVICE_CODES, Municipality

MAX_MONTHS = 60


def _money():
    return serializers.DecimalField(max_digits=16, decimal_places=2)


def _hours():
    return serializers.FloatField(allow_null=True)


class ComplaintFiguresOutput(serializers.Serializer):
    filed = serializers.IntegerField()
    resolved = serializers.IntegerField()
    median_hours = _hours()
    p90_hours = _hours()
    median_working_hours = _hours()
    p90_working_hours = _hours()
    within_sla_share = serializers.FloatField(allow_null=True, help_text="0–1 of the cases resolved")
    reopen_rate = serializers.FloatField(allow_null=True, help_text="0–1 of the cases resolved")
    referred = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="open and past their target at the month's end")


class PermitFiguresOutput(serializers.Serializer):
    applications = serializers.IntegerField()
    issued = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True, help_text="filing → permit, calendar days")
    limit_days = serializers.IntegerField()
    within_limit_share = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()


class FoodFiguresOutput(serializers.Serializer):
    notifications = serializers.IntegerField()
    issued = serializers.IntegerField()
    median_working_days = serializers.FloatField(allow_null=True, help_text="notification → certificate")
    limit_working_days = serializers.IntegerField()
    within_limit_share = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()


class PaymentFiguresOutput(serializers.Serializer):
    money_collected = _money()
    money_by_fee_type = serializers.DictField(child=_money())
    payments_by_channel = serializers.DictField(child=serializers.IntegerField())
    bills_issued = serializers.IntegerField()
    paid_on_time_share = serializers.FloatField(allow_null=True, help_text="of the bills due in the month")
    arrears_amount = _money()
    bills_in_arrears = serializers.IntegerField()


class LetterFiguresOutput(serializers.Serializer):
    letters_registered = serializers.IntegerField()
    letters_received = serializers.IntegerField()
    letters_sent = serializers.IntegerField()
    exchanged = serializers.IntegerField(help_text="sent to or received from other agencies electronically")
    median_delivery_hours = _hours()


class SummaryMonthOutput(serializers.Serializer):
    month = serializers.DateField(help_text="first day of the month")
    has_data = serializers.BooleanField(help_text="false: no town reported anything (not zero activity)")
    towns_reporting = serializers.IntegerField()
    requests_filed = serializers.IntegerField(allow_null=True)
    requests_resolved = serializers.IntegerField(allow_null=True)
    median_resolution_hours = _hours()
    median_resolution_working_hours = _hours()
    money_collected = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    complaints = ComplaintFiguresOutput(allow_null=True)
    building_permits = PermitFiguresOutput(allow_null=True)
    food_premises = FoodFiguresOutput(allow_null=True)
    payments = PaymentFiguresOutput(allow_null=True)
    correspondence = LetterFiguresOutput(allow_null=True)


class SummaryScopeOutput(serializers.Serializer):
    province = serializers.CharField()
    district = serializers.CharField()
    town = serializers.CharField()


class SummaryOutput(serializers.Serializer):
    scope = SummaryScopeOutput()
    results = SummaryMonthOutput(many=True)


def month_row(month: national.Month) -> dict:
    headline = (
        {
            "requests_filed": month.requests_filed,
            "requests_resolved": month.requests_resolved,
            "money_collected": month.money_collected,
        }
        if month.has_data
        else {"requests_filed": None, "requests_resolved": None, "money_collected": None}
    )
    return {
        "month": month.month,
        "has_data": month.has_data,
        "towns_reporting": month.towns_reporting,
        **headline,
        "median_resolution_hours": month.median_resolution_hours,
        "median_resolution_working_hours": month.median_resolution_working_hours,
        **{label: month.services.get(label) for label in SERVICE_CODES},
    }


class PlatformSummary(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(
        operation_id="platform_summary",
        responses={200: SummaryOutput},
        parameters=[
            OpenApiParameter("province", str, description="province code (2 digits), e.g. 20"),
            OpenApiParameter("district", str, description="district code (4 digits), with a province"),
            OpenApiParameter("town", str, description="a town's subdomain (slug)"),
            OpenApiParameter("months", int, description=f"how many months back, 1–{MAX_MONTHS} (default 12)"),
        ],
    )
    def get(self, request):
        params = request.query_params
        scope = national.Scope(
            province=query_param(params, "province"),
            district=query_param(params, "district"),
            town=query_param(params, "town"),
        )
        errors = {}
        raw_months = query_param(params, "months") or "12"
        if not raw_months.isdigit() or not 1 <= int(raw_months) <= MAX_MONTHS:
            errors["months"] = [f"ระบุจำนวนเดือน 1–{MAX_MONTHS} (months must be 1–{MAX_MONTHS})"]
        if scope.province and not Municipality.objects.filter(province_code=scope.province).exists():
            errors["province"] = ["ไม่มีหน่วยงานในจังหวัดนี้บนแพลตฟอร์ม (no town in this province)"]
        if scope.district and not Municipality.objects.filter(district_code=scope.district).exists():
            errors["district"] = ["ไม่มีหน่วยงานในอำเภอนี้บนแพลตฟอร์ม (no town in this district)"]
        if scope.town and not Municipality.objects.filter(slug=scope.town).exists():
            errors["town"] = ["ไม่พบหน่วยงานนี้ (no such town)"]
        if errors:
            return Response(error_body("invalid", fields=errors), status=status.HTTP_400_BAD_REQUEST)
        months = national.monthly(scope, months=int(raw_months))
        body = {
            "scope": {"province": scope.province, "district": scope.district, "town": scope.town},
            "results": [month_row(m) for m in months],
        }
        return Response(SummaryOutput(body).data)
