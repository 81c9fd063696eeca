"""Payments API: the bank confirmation endpoint (HMAC-signed), and invoices for staff clients."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_body
from services.common.params import query_param
from services.payments import actions, banks, selectors
from services.payments.models import Invoice, PaymentSettings

SIGNATURE_HEADERS = [
    OpenApiParameter(
        "X-Thongthin-Timestamp",
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="Unix seconds; must be within the town's window (default 300 s)",
    ),
    OpenApiParameter(
        "X-Thongthin-Signature",
        str,
        OpenApiParameter.HEADER,
        required=True,
        description='"sha256=" + hex HMAC-SHA256(secret, timestamp + "." + raw body)',
    ),
]


class BankConfirmationAccepted(serializers.Serializer):
    status = serializers.CharField()
    outcome = serializers.CharField()
    transaction_id = serializers.CharField()


class BankConfirmationBase(APIView):
    """A bank tells the town a bill was paid. Signed with the town's secret; idempotent per transaction id."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def confirm(self, request, bank: str):
        adapter = banks.ADAPTERS.get(bank)
        if adapter is None:
            return Response(error_body("not_found", detail=f"unknown bank adapter {bank}"), status=404)
        body = request.body
        settings_row = PaymentSettings.current()
        problem = banks.verify_signature(
            secret=settings_row.bank_hmac_secret,
            timestamp=request.headers.get(banks.TIMESTAMP_HEADER, ""),
            body=body,
            signature=request.headers.get(banks.SIGNATURE_HEADER, ""),
            now=timezone.now(),
            window_seconds=settings_row.timestamp_window_seconds,
        )
        if problem == "bad_signature":
            return Response(
                error_body("authentication_failed", detail="invalid signature"),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        if problem:
            return Response(
                error_body("authentication_failed", detail="timestamp outside the allowed window"),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        try:
            confirmation = adapter.parse(banks.load_json(body))
            txn = actions.receive_bank_confirmation(confirmation=confirmation, bank=adapter.code)
        except (banks.ConfirmationError, ValidationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return Response(error_body("invalid", detail=message), status=status.HTTP_400_BAD_REQUEST)
        return Response(adapter.reply(outcome=txn.outcome, transaction_id=confirmation.transaction_id))


class BankConfirmationView(BankConfirmationBase):
    """Our generic, documented confirmation JSON."""

    @extend_schema(
        operation_id="payments_bank_confirmation",
        parameters=SIGNATURE_HEADERS,
        request=inline_serializer(
            "BankConfirmationInput",
            {
                "transaction_id": serializers.CharField(),
                "amount": serializers.CharField(),
                "paid_at": serializers.DateTimeField(),
                "biller_id": serializers.CharField(required=False),
                "ref1": serializers.CharField(),
                "ref2": serializers.CharField(required=False),
                "ref3": serializers.CharField(required=False),
                "payer_name": serializers.CharField(required=False),
                "bank_code": serializers.CharField(required=False),
            },
        ),
        responses={200: BankConfirmationAccepted},
    )
    def post(self, request):
        return self.confirm(request, "generic")


class BankConfirmationByBankView(BankConfirmationBase):
    """The same endpoint in a bank's own format (`scb`, or `generic`); the reply is in that bank's format."""

    @extend_schema(
        operation_id="payments_bank_confirmation_by_bank",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        parameters=SIGNATURE_HEADERS,
    )
    def post(self, request, bank: str):
        return self.confirm(request, bank)


class InvoiceLineOutput(serializers.Serializer):
    fee_code = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class InvoiceOutput(serializers.ModelSerializer):
    lines = InvoiceLineOutput(many=True, read_only=True)
    outstanding = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "number",
            "ref1",
            "ref2",
            "payer_name",
            "source",
            "source_id",
            "issue_date",
            "due_date",
            "total",
            "paid_amount",
            "outstanding",
            "status",
            "qr_payload",
            "lines",
        ]


class InvoiceList(generics.ListAPIView):
    """Invoices of this town for finance staff; ?q= searches number, payer, source id; ?status= filters."""

    serializer_class = InvoiceOutput
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.search_invoices(
            user=self.request.user,
            query=query_param(self.request.query_params, "q"),
            status=query_param(self.request.query_params, "status"),
        ).prefetch_related("lines")


class InvoiceDetail(generics.RetrieveAPIView):
    serializer_class = InvoiceOutput
    permission_classes = [IsAuthenticated]
    lookup_field = "number"

    def get_queryset(self):
        return selectors.search_invoices(user=self.request.user).prefetch_related("lines")
