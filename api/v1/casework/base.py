"""REST views of the shared case journey (services/casework), specialised by api/v1/permits and api/v1/food.

Citizens (session) file and follow their own cases; staff (token or session) see the cases their
role opens and fire the steps it allows. Every rule is checked by the casework actions, so the
API obeys the same permissions and errors as the pages (api.errors gives the bilingual body).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.paging import paged
from services.casework import actions, selectors
from services.casework.models import Case, CaseStatus, Certificate
from services.common.params import query_param


class CaseEventOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    to_status = serializers.CharField()
    message = serializers.CharField()


class CaseDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    requirement = serializers.CharField(source="requirement.code", default=None)
    name = serializers.CharField(source="file.original_name")
    uploaded_at = serializers.DateTimeField()
    superseded = serializers.BooleanField(source="is_superseded")


class CaseFeeOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    purpose = serializers.CharField()
    period = serializers.CharField(source="period_label")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField()
    due_date = serializers.DateField()
    invoice = serializers.CharField(source="invoice_reference")
    payment_url = serializers.CharField()
    rate_version = serializers.CharField()


class CertificateOutput(serializers.Serializer):
    number = serializers.CharField(source="display_number")
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    status_reason = serializers.CharField()
    verification_token = serializers.CharField()


class CaseOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    tracking_code = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    title = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    submitted_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    applicant_due_date = serializers.DateField(allow_null=True)
    extensions_used = serializers.IntegerField()
    decision_reason = serializers.CharField()


class CaseDetailOutput(CaseOutput):
    documents = CaseDocumentOutput(many=True)
    fees = CaseFeeOutput(many=True)
    events = serializers.SerializerMethodField()
    certificate = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()

    def get_events(self, case) -> list[dict]:
        staff = self.context.get("staff", False)
        events = case.events.all() if staff else case.events.filter(is_public=True)
        return CaseEventOutput(events, many=True).data

    def get_certificate(self, case) -> dict | None:
        certificate = Certificate.objects.filter(case=case).first()
        return CertificateOutput(certificate).data if certificate else None

    def get_missing_documents(self, case) -> list[str]:
        if case.status not in (CaseStatus.DRAFT, CaseStatus.RETURNED):
            return []
        return [r.code for r in actions.missing_requirements(case)]


class CaseDocumentInput(serializers.Serializer):
    requirement = serializers.CharField(help_text="checklist code, e.g. title_deed")
    file = serializers.FileField()


class CaseStepInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    items = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="return: what is missing or wrong",
    )
    result = serializers.ChoiceField(choices=["pass", "fix", "fail"], required=False)
    inspected_on = serializers.DateField(required=False)


class CertificatePublicOutput(serializers.Serializer):
    number = serializers.CharField(source="display_number")
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    summary = serializers.JSONField(source="public_summary")


class VerificationOutput(CertificatePublicOutput):
    valid = serializers.BooleanField()
    reason = serializers.CharField()


class CaseApiMixin:
    kind: str = ""
    detail_input: type[serializers.Serializer]
    save_draft = None  # the service's save_*_draft action

    def staff(self, request) -> bool:
        return bool(getattr(request.user, "is_staff_member", False))

    def case(self, request, public_id) -> Case:
        if self.staff(request):
            return selectors.case_for_staff(user=request.user, public_id=public_id, kind=self.kind)
        return selectors.case_for_applicant(user=request.user, public_id=public_id, kind=self.kind)

    def detail(self, request, case, code=status.HTTP_200_OK) -> Response:
        case = Case.objects.get(pk=case.pk)
        return Response(CaseDetailOutput(case, context={"staff": self.staff(request)}).data, status=code)


class CaseListBase(CaseApiMixin, APIView):
    """List cases (staff: the service's work list; citizens: their own) or file a new draft."""

    def get(self, request):
        if self.staff(request):
            cases = selectors.cases_for_staff(
                user=request.user,
                kind=self.kind,
                status=query_param(request.query_params, "status"),
                query=query_param(request.query_params, "q"),
            )
        else:
            cases = selectors.cases_for_applicant(user=request.user, kind=self.kind)
        from rest_framework.pagination import PageNumberPagination

        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(CaseOutput(page, many=True).data)

    def post(self, request):
        data = self.detail_input(data=request.data)
        data.is_valid(raise_exception=True)
        case = type(self).save_draft(by=request.user, data=dict(data.validated_data))
        return self.detail(request, case, status.HTTP_201_CREATED)


class CaseDetailBase(CaseApiMixin, APIView):
    def get(self, request, public_id):
        return self.detail(request, self.case(request, public_id))

    def put(self, request, public_id):
        case = selectors.case_for_applicant(user=request.user, public_id=public_id, kind=self.kind)
        data = self.detail_input(data=request.data)
        data.is_valid(raise_exception=True)
        type(self).save_draft(by=request.user, data=dict(data.validated_data), case_id=case.pk)
        return self.detail(request, case)


class CaseDocumentsBase(CaseApiMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=CaseDocumentInput, responses={201: CaseDetailOutput})
    def post(self, request, public_id):
        case = selectors.case_for_applicant(user=request.user, public_id=public_id, kind=self.kind)
        data = CaseDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        requirement = case_requirement(self.kind, data.validated_data["requirement"])
        actions.attach_document(
            case_id=case.pk, requirement_id=requirement, upload=data.validated_data["file"], by=request.user
        )
        return self.detail(request, case, status.HTTP_201_CREATED)


def case_requirement(kind: str, code: str) -> int:
    from services.casework.models import DocumentRequirement

    requirement = DocumentRequirement.objects.filter(kind=kind, code=code, is_active=True).first()
    if requirement is None:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({"requirement": "ไม่พบรายการเอกสารนี้ (Unknown checklist item)"})
    return requirement.pk


class CaseSubmitBase(CaseApiMixin, APIView):
    @extend_schema(request=None, responses={200: CaseDetailOutput})
    def post(self, request, public_id):
        case = selectors.case_for_applicant(user=request.user, public_id=public_id, kind=self.kind)
        actions.submit_case(case_id=case.pk, by=request.user, reply=str(request.data.get("reply", ""))[:2000])
        return self.detail(request, case)


class CaseStepBase(CaseApiMixin, APIView):
    """One staff step: accept, return, inspect, review, approve, refuse, extend."""

    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=CaseStepInput, responses={200: CaseDetailOutput})
    def post(self, request, public_id, step: str):
        case = selectors.case_for_staff(user=request.user, public_id=public_id, kind=self.kind)
        data = CaseStepInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        steps = {
            "accept": lambda: actions.accept_case(case_id=case.pk, by=request.user, note=values["note"]),
            "return": lambda: actions.return_for_fixes(
                case_id=case.pk,
                by=request.user,
                items=[{"text": t} for t in values["items"]],
                note=values["note"],
            ),
            "inspect": lambda: actions.record_inspection(
                case_id=case.pk,
                by=request.user,
                result=values.get("result", ""),
                notes=values["note"],
                inspected_on=values.get("inspected_on") or actions.today(),
            ),
            "review": lambda: actions.record_technical_review(
                case_id=case.pk, by=request.user, note=values["note"]
            ),
            "approve": lambda: actions.approve_case(case_id=case.pk, by=request.user, note=values["note"]),
            "refuse": lambda: actions.refuse_case(case_id=case.pk, by=request.user, reason=values["reason"]),
            "extend": lambda: actions.extend_deadline(
                case_id=case.pk, by=request.user, reason=values["reason"]
            ),
        }
        if step not in steps:
            raise Http404
        steps[step]()
        return self.detail(request, case)


class RegisterBase(APIView):
    """The public register of issued certificates: numbers, places, dates; no personal data."""

    permission_classes = [AllowAny]
    kind = ""

    @extend_schema(responses={200: paged(CertificatePublicOutput, "CertificatePage")})
    def get(self, request):
        from rest_framework.pagination import PageNumberPagination

        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.public_register(kind=self.kind, query=query_param(request.query_params, "q")),
            request,
            view=self,
        )
        return paginator.get_paginated_response(CertificatePublicOutput(page, many=True).data)


class VerifyBase(APIView):
    """Is this certificate valid? Suspended, revoked and expired ones answer `valid: false` with why."""

    permission_classes = [AllowAny]
    kind = ""

    @extend_schema(responses={200: VerificationOutput})
    def get(self, request, token: str):
        certificate = selectors.certificate_by_token(kind=self.kind, token=token)
        state = selectors.verification_state(certificate)
        body = CertificatePublicOutput(certificate).data
        return Response({**body, "valid": state["valid"], "reason": state["reason"] or state["label"]})
