"""Staff OSS API: the same actions and selectors as the back-office, so the same rules apply."""

from __future__ import annotations

import datetime as dt

from auditlog.signals import accessed
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import IsStaffMember
from services.accounts.models import Department, User
from services.complaints import actions, exports, referrals, selectors
from services.complaints.models import Category, Community, Complaint, Holiday, OssSettings
from services.complaints.periods import PeriodInvalid, report_period
from services.complaints.sla import BANGKOK, seed_holidays

from .serializers import (
    OssAcceptInput,
    OssAssignInput,
    OssCategoryOutput,
    OssComplaintCreateInput,
    OssComplaintDetailOutput,
    OssComplaintOutput,
    OssDashboardOutput,
    OssHolidayInput,
    OssHolidayOutput,
    OssMergeInput,
    OssReasonInput,
    OssRecategoriseInput,
    OssReferInput,
    OssResolveInput,
    OssTextInput,
)

FILTERS = [
    OpenApiParameter(
        "status",
        str,
        description="open | received | accepted | assigned | in_progress | resolved | "
        "closed | rejected | merged | reopened",
    ),
    OpenApiParameter("category", str, description="category code"),
    OpenApiParameter("community", int),
    OpenApiParameter("department", int),
    OpenApiParameter("channel", str),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("queue", str, description="mine | triage | department | escalated | filed"),
    OpenApiParameter("q", str, description="search in code, description, address, reporter"),
    OpenApiParameter("sort", str, enum=["supporters"], description="supporters = most \"me too\" first"),
]


class OssCategories(APIView):
    """Active complaint categories of this town."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(responses=OssCategoryOutput(many=True), operation_id="oss_categories")
    def get(self, request):
        return Response(OssCategoryOutput(Category.objects.filter(is_active=True), many=True).data)


class OssComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints this staff member may see; actions fire the workflow transitions."""

    permission_classes = [IsAuthenticated, IsStaffMember]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = OssComplaintOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        filters = selectors.InboxFilter.from_params(self.request.query_params)
        return selectors.inbox(user=self.request.user, filters=filters)

    def get_serializer_class(self):
        return OssComplaintDetailOutput if self.action not in ("list",) else OssComplaintOutput

    def get_object(self) -> Complaint:
        raw = str(self.kwargs["pk"])
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise NotFound
        complaint = selectors.complaint_for_staff(user=self.request.user, complaint_id=int(raw))
        if complaint is None:
            raise NotFound
        return complaint

    def _detail(self, complaint_id: int, code: int = status.HTTP_200_OK) -> Response:
        complaint = (
            Complaint.objects.select_related("category", "department", "assigned_to", "resolved_by")
            .prefetch_related("events__by")
            .get(pk=complaint_id)
        )
        return Response(OssComplaintDetailOutput(complaint).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        complaint = self.get_object()
        accessed.send(sender=Complaint, instance=complaint)  # PDPA access log
        return self._detail(complaint.pk)

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=OssComplaintCreateInput, responses={201: OssComplaintDetailOutput})
    def create(self, request):
        """File a walk-in, phone or B-Buddy case on behalf of a resident."""
        data = _valid(OssComplaintCreateInput, request)
        community = Community.objects.filter(pk=data["community"]).first() if data["community"] else None
        filing = actions.Filing(
            category=data["category"],
            description=data["description"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            community=community,
            address_text=data["address_text"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            reporter_email=data["reporter_email"],
            is_anonymous=data["is_anonymous"],
            consent=data["consent"],
        )
        complaint = actions.submit_complaint(
            filing=filing, channel=data["channel"], uploads=data["photos"], by=request.user
        )
        return self._detail(complaint.pk, status.HTTP_201_CREATED)

    @extend_schema(request=OssAcceptInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        complaint = self.get_object()
        data = _valid(OssAcceptInput, request)
        department = None
        if data["department"]:
            department = Department.objects.filter(code=data["department"], is_active=True).first()
            if department is None:
                raise ValidationError({"department": ["ไม่พบกองนี้ (No such department)"]})
        actions.accept_complaint(
            complaint_id=complaint.pk, by=request.user, department=department, note=data["note"]
        )
        return self._detail(complaint.pk)

    @extend_schema(request=OssReasonInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        complaint = self.get_object()
        actions.reject_complaint(
            complaint_id=complaint.pk, by=request.user, reason=_valid(OssReasonInput, request)["reason"]
        )
        return self._detail(complaint.pk)

    @extend_schema(request=OssMergeInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        complaint = self.get_object()
        code = _valid(OssMergeInput, request)["into"].strip().upper()
        target = selectors.complaints_visible_to(request.user).filter(tracking_code=code).first()
        if target is None:
            raise ValidationError({"into": ["ไม่พบเลขติดตามเรื่องนี้ (No such tracking code)"]})
        actions.merge_complaint(complaint_id=complaint.pk, into_id=target.pk, by=request.user)
        return self._detail(complaint.pk)

    @extend_schema(request=OssRecategoriseInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def recategorise(self, request, pk=None):
        complaint = self.get_object()
        actions.recategorise_complaint(
            complaint_id=complaint.pk,
            by=request.user,
            category=_valid(OssRecategoriseInput, request)["category"],
        )
        return self._detail(complaint.pk)

    @extend_schema(request=OssAssignInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        complaint = self.get_object()
        data = _valid(OssAssignInput, request)
        officer = User.objects.filter(username=data["officer"]).first()
        if officer is None:
            raise ValidationError({"officer": ["ไม่พบเจ้าหน้าที่ (No such officer)"]})
        actions.assign_complaint(
            complaint_id=complaint.pk, by=request.user, officer=officer, note=data["note"]
        )
        return self._detail(complaint.pk)

    @extend_schema(request=None, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        complaint = self.get_object()
        actions.start_work(complaint_id=complaint.pk, by=request.user)
        return self._detail(complaint.pk)

    @extend_schema(request=OssResolveInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        complaint = self.get_object()
        data = _valid(OssResolveInput, request)
        actions.resolve_complaint(
            complaint_id=complaint.pk,
            by=request.user,
            reply=data["reply"],
            after_photos=data["photos"],
            photo_exception_reason=data["photo_exception_reason"],
        )
        return self._detail(complaint.pk)

    @extend_schema(request=OssTextInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        complaint = self.get_object()
        actions.add_public_reply(
            complaint_id=complaint.pk, by=request.user, text=_valid(OssTextInput, request)["text"]
        )
        return self._detail(complaint.pk)

    @extend_schema(request=OssTextInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        complaint = self.get_object()
        actions.add_internal_note(
            complaint_id=complaint.pk, by=request.user, text=_valid(OssTextInput, request)["text"]
        )
        return self._detail(complaint.pk)

    @extend_schema(request=OssReferInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Refer the case to another town (through the exchange) or to an outside agency."""
        complaint = self.get_object()
        data = _valid(OssReferInput, request)
        if data["target"] == "town":
            referrals.refer_to_town(
                complaint_id=complaint.pk,
                by=request.user,
                town_code=data["town_code"],
                reason=data["reason"],
                share_contact=data["share_contact"],
            )
        else:
            referrals.refer_to_agency(
                complaint_id=complaint.pk,
                by=request.user,
                agency_id=data["agency"] or 0,
                reason=data["reason"],
                agency_reference=data["agency_reference"],
                follow_up_on=data["follow_up_on"],
            )
        return self._detail(complaint.pk)

    @extend_schema(request=OssReasonInput, responses=OssComplaintDetailOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a case another town referred to us; it goes back to them with the reason."""
        complaint = self.get_object()
        referrals.decline_referral(
            complaint_id=complaint.pk, by=request.user, reason=_valid(OssReasonInput, request)["reason"]
        )
        return self._detail(complaint.pk)

    @extend_schema(request=None, responses=OssComplaintOutput(many=True))
    @action(detail=True, methods=["get"])
    def duplicates(self, request, pk=None):
        complaint = self.get_object()
        visible = set(selectors.complaints_visible_to(request.user).values_list("pk", flat=True))
        found = [c for c in selectors.duplicate_candidates(complaint) if c.pk in visible]
        return Response(OssComplaintOutput(found, many=True).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _report_period(request) -> tuple[dt.date, dt.date]:
    """The dashboard's and export's period, parsed as the staff pages parse it; 400 if it is bad."""
    try:
        return report_period(request.query_params)
    except PeriodInvalid as exc:
        raise ValidationError({"since": [exc.message]}) from exc


class OssDashboard(APIView):
    """Executive figures for cases received between two dates (default: the last 30 days)."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ],
        responses=OssDashboardOutput,
        operation_id="oss_dashboard",
    )
    def get(self, request):
        if not request.user.has_perm("complaints.view_oss_dashboard"):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        since, until = _report_period(request)
        oss = OssSettings.current()
        data = selectors.dashboard(
            since=since, until=until, baseline_days=oss.baseline_days, went_live_on=oss.went_live_on
        )
        data["summary"]["went_live_on"] = oss.went_live_on.isoformat() if oss.went_live_on else None
        data["days"] = [{**d, "day": d["day"].isoformat()} for d in data["days"]]
        return Response(data)


class OssHolidays(APIView):
    """The town's holiday calendar (Thai public holidays seeded per year; the town adds or disables days)."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="Gregorian year, default this year")],
        responses=OssHolidayOutput(many=True),
        operation_id="oss_holidays_list",
    )
    def get(self, request):
        raw = request.query_params.get("year") or str(timezone.now().astimezone(BANGKOK).year)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise ValidationError({"year": ["ปีไม่ถูกต้อง (Invalid year)"]})
        seed_holidays(int(raw))
        return Response(OssHolidayOutput(Holiday.objects.filter(date__year=int(raw)), many=True).data)

    @extend_schema(
        request=OssHolidayInput, responses={201: OssHolidayOutput}, operation_id="oss_holidays_set"
    )
    def post(self, request):
        """Add a holiday, or change the name/active flag of an existing date."""
        if not request.user.has_perm("complaints.manage_oss_settings"):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        data = _valid(OssHolidayInput, request)
        holiday, _created = Holiday.objects.update_or_create(
            date=data["date"], defaults={"name": data["name"], "is_active": data["is_active"]}
        )
        return Response(OssHolidayOutput(holiday).data, status=status.HTTP_201_CREATED)


class OssExport(APIView):
    """Complaints received in a period as CSV or Excel (same filters and visibility as the list)."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
            OpenApiParameter("file_format", str, description="csv (default) | xlsx"),
            *FILTERS,
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        operation_id="oss_export",
    )
    def get(self, request):
        if not request.user.has_perm("complaints.export_complaints"):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        since, until = _report_period(request)
        start = dt.datetime.combine(since, dt.time.min, BANGKOK)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, BANGKOK)
        filters = selectors.InboxFilter.from_params(request.query_params)
        cases = selectors.inbox(user=request.user, filters=filters).filter(
            received_at__gte=start, received_at__lt=end
        )
        name = f"complaints-{request.town.short_code}-{since:%Y%m%d}-{until:%Y%m%d}"
        if request.query_params.get("file_format") == "xlsx":
            return exports.xlsx_response(cases, filename=f"{name}.xlsx")
        return exports.csv_response(cases, filename=f"{name}.csv")
