"""The e-Saraban API: letters (search, draft, every workflow step), the agency directory, and the
signed inbound endpoint for agencies outside the platform."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from api.auth import IsStaffMember
from api.errors import error_body
from api.paging import paged
from services.accounts.models import Department, User
from services.common.params import query_param
from services.correspondence import actions, printouts, selectors
from services.correspondence.models import Register
from services.exchange import actions as exchange
from services.exchange import signing
from services.exchange.directory import agencies, current_agency_code

from .serializers import (
    AgencyOutput,
    InboundAccepted,
    LetterDecisionInput,
    LetterDraftInput,
    LetterOutput,
    LetterPresentInput,
    LetterRegisterInput,
    LetterReturnInput,
    LetterRouteInput,
    LetterSendInput,
    LetterSubmitInput,
    PaperLetterInput,
    RegisterRowOutput,
)


class LetterListCreate(generics.ListAPIView):
    """Search the letters you may open; POST drafts a new outgoing letter."""

    permission_classes = [IsStaffMember]
    serializer_class = LetterOutput

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("direction", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.search_letters(
            user=self.request.user,
            query=query_param(self.request.query_params, "q"),
            direction=query_param(self.request.query_params, "direction"),
        ).prefetch_related("register_entries", "recipients")

    @extend_schema(request=LetterDraftInput, responses={201: LetterOutput})
    def post(self, request):
        data = LetterDraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        letter = actions.draft_letter(by=request.user, **data.validated_data)
        return Response(LetterOutput(letter).data, status=status.HTTP_201_CREATED)


class LetterDetail(APIView):
    """One letter (secret letters: only for the people they concern; every view audited)."""

    permission_classes = [IsStaffMember]

    @extend_schema(responses=LetterOutput)
    def get(self, request, pk: int):
        return Response(LetterOutput(selectors.letter_for_viewing(user=request.user, letter_id=pk)).data)


def _users(ids) -> list[User]:
    found = list(User.objects.filter(pk__in=ids, kind=User.Kind.STAFF, is_active=True))
    if len(found) != len(set(ids)):
        raise ValidationError({"to_user_ids": "ไม่พบผู้ใช้บางราย (Unknown user)"})
    return found


def _departments(ids) -> list[Department]:
    found = list(Department.objects.filter(pk__in=ids, is_active=True))
    if len(found) != len(set(ids)):
        raise ValidationError({"to_department_ids": "ไม่พบกอง/ส่วนบางแห่ง (Unknown department)"})
    return found


STEP_INPUTS = {
    "submit": LetterSubmitInput,
    "approve": LetterDecisionInput,
    "reject": LetterDecisionInput,
    "send": LetterSendInput,
    "register": LetterRegisterInput,
    "return": LetterReturnInput,
    "present": LetterPresentInput,
    "endorse": LetterRouteInput,
    "circulate": LetterRouteInput,
    "close": LetterDecisionInput,
}


class LetterStep(APIView):
    """A workflow step on a letter: submit, approve, reject, send, register, return, present,
    endorse, circulate, close. Refused steps answer 409 (wrong state) or 403 (not yours)."""

    permission_classes = [IsStaffMember]

    @extend_schema(operation_id="saraban_letters_step", request=LetterRouteInput, responses=LetterOutput)
    def post(self, request, pk: int, step: str):
        if step not in STEP_INPUTS:
            return Response(error_body("not_found"), status=status.HTTP_404_NOT_FOUND)
        letter = selectors.letter_for_viewing(user=request.user, letter_id=pk)
        data = STEP_INPUTS[step](data=request.data)
        data.is_valid(raise_exception=True)
        v, user = data.validated_data, request.user
        if step == "submit":
            actions.submit_for_approval(letter_id=letter.pk, by=user, approver_ids=v["approver_ids"])
        elif step in ("approve", "reject"):
            actions.decide_approval(
                letter_id=letter.pk, by=user, approve=step == "approve", comment=v["comment"]
            )
        elif step == "send":
            if not user.has_perm("correspondence.send_letter"):
                return Response(error_body("permission_denied"), status=status.HTTP_403_FORBIDDEN)
            actions.send_letter(
                letter_id=letter.pk,
                by=user,
                recipient_codes=v["recipient_codes"],
                paper_recipients=v["paper_recipients"],
            )
        elif step == "register":
            actions.register_received(letter_id=letter.pk, by=user, action_note=v["action_note"])
        elif step == "return":
            actions.return_received(letter_id=letter.pk, by=user, reason=v["reason"])
        elif step == "present":
            to = get_object_or_404(User, pk=v["to_user_id"], kind=User.Kind.STAFF)
            actions.present_letter(letter_id=letter.pk, by=user, to=to, note=v["note"])
        elif step == "endorse":
            actions.endorse_letter(
                letter_id=letter.pk,
                by=user,
                order_text=v["order_text"],
                to_users=_users(v["to_user_ids"]),
                to_departments=_departments(v["to_department_ids"]),
            )
        elif step == "circulate":
            actions.circulate_letter(
                letter_id=letter.pk,
                by=user,
                to_users=_users(v["to_user_ids"]),
                to_departments=_departments(v["to_department_ids"]),
                note=v["order_text"],
            )
        elif step == "close":
            actions.close_letter(letter_id=letter.pk, by=user, note=v["comment"])
        letter.refresh_from_db()
        return Response(LetterOutput(letter).data)


class PaperLetterReceive(APIView):
    """Register a letter that came on paper (multipart: fields + one or more `scans`, PDF/JPEG/PNG)."""

    permission_classes = [IsStaffMember]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=PaperLetterInput, responses={201: LetterOutput})
    def post(self, request):
        # An empty body parses to a plain dict, a form to a QueryDict: read both the same way.
        fields = {key: request.data.get(key) for key in request.data if key != "scans"}
        data = PaperLetterInput(data={**fields, "scans": request.FILES.getlist("scans")})
        data.is_valid(raise_exception=True)
        letter = actions.register_paper_letter(by=request.user, **data.validated_data)
        return Response(LetterOutput(letter).data, status=status.HTTP_201_CREATED)


class RegisterRows(APIView):
    """Rows of the receiving or sending register (secret subjects withheld unless yours to see)."""

    permission_classes = [IsStaffMember]

    @extend_schema(
        parameters=[OpenApiParameter("q", str), OpenApiParameter("year", int)],
        responses=paged(RegisterRowOutput, "RegisterRowPage"),
    )
    def get(self, request, register: str):
        if register not in Register.values:
            return Response(error_body("not_found"), status=status.HTTP_404_NOT_FOUND)
        year = query_param(request.query_params, "year")
        entries = selectors.register_entries(
            user=request.user,
            register=register,
            year=int(year) if year.isdigit() else None,
            query=query_param(request.query_params, "q"),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        rows = printouts.register_rows(page)
        for row, entry in zip(rows, page, strict=True):
            row["letter_id"] = entry.letter_id
        return paginator.get_paginated_response(RegisterRowOutput(rows, many=True).data)


class AgencyList(APIView):
    """The directory: every live town on the platform and the external agencies."""

    permission_classes = [IsStaffMember]

    @extend_schema(parameters=[OpenApiParameter("q", str)], responses=AgencyOutput(many=True))
    def get(self, request):
        found = agencies(query=query_param(request.query_params, "q"), exclude_code=current_agency_code())
        return Response(AgencyOutput(found, many=True).data)


# One message with its base64-encoded attachments (services/exchange/README.md).
MAX_INBOUND_BYTES = 30 * 1024 * 1024


class InboundThrottle(AnonRateThrottle):
    rate = "120/min"


class ExchangeInbound(APIView):
    """Inbound messages from agencies outside the platform (documented in services/exchange/README.md).

    Authenticated by the HMAC signature with the agency's key (X-Exchange-* headers), not by a
    user token; a forged, stale or replayed message is refused and logged.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [InboundThrottle]

    @extend_schema(request=None, responses={202: InboundAccepted, 200: InboundAccepted})
    def post(self, request):
        # Read the raw stream ourselves: a letter with attachments is larger than Django's
        # in-memory body limit, and the signature is over these exact bytes.
        raw = request._request.read(MAX_INBOUND_BYTES + 1)
        if len(raw) > MAX_INBOUND_BYTES:
            body = {
                "error": {
                    "code": "too_large",
                    "message_th": "ข้อความใหญ่เกินกำหนด",
                    "message_en": f"Message larger than {MAX_INBOUND_BYTES // (1024 * 1024)} MB.",
                }
            }
            return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        headers = {
            name: request.headers.get(name, "")
            for name in (
                signing.HEADER_AGENCY,
                signing.HEADER_TIMESTAMP,
                signing.HEADER_NONCE,
                signing.HEADER_SIGNATURE,
            )
        }
        try:
            message, created = exchange.receive_from_outside(
                body=raw,
                headers=headers,
                recipient_code=current_agency_code(),
                remote_addr=request.META.get("REMOTE_ADDR"),
            )
        except exchange.InboundRefused as refused:
            body = {
                "error": {
                    "code": refused.reason,
                    "message_th": refused.message_th,
                    "message_en": refused.message_en,
                }
            }
            return Response(body, status=refused.http_status)
        payload = {"id": str(message.public_id), "status": message.status, "duplicate": not created}
        return Response(payload, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)
