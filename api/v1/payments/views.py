"""Payments API: the bank confirmation endpoint (HMAC-signed), and invoices for staff clients."""

from __future__ import annotations

import hmac

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
    """A bank tells the town a bill was paid; idempotent per bank transaction id."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Bad bodies (deep, NUL, oversized) are answered in the bank's own format by banks.load_json.
    reads_own_body = True

    def signed(self, request) -> Response | None:
        """Our HMAC scheme (gateways, or a relay in front of a bank): None when the signature holds."""
        settings_row = PaymentSettings.current()
        problem = banks.verify_signature(
            secret=settings_row.bank_hmac_secret,
            timestamp=request.headers.get(banks.TIMESTAMP_HEADER, ""),
            body=request.body,
            signature=request.headers.get(banks.SIGNATURE_HEADER, ""),
            now=timezone.now(),
            window_seconds=settings_row.timestamp_window_seconds,
        )
        if not problem:
            return None
        detail = "invalid signature" if problem == "bad_signature" else "timestamp outside the allowed window"
        return Response(error_body("authentication_failed", detail=detail), status=status.HTTP_401_UNAUTHORIZED)

    def confirm(self, request, adapter) -> Response:
        transaction_id = ""
        try:
            data = banks.load_json(request.body)
            transaction_id = str(data.get("transactionId") or data.get("txnNo") or data.get("transaction_id") or "")
            confirmation = adapter.parse(data)
            txn = actions.receive_bank_confirmation(confirmation=confirmation, bank=adapter.code)
        except (banks.ConfirmationError, ValidationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            body = (
                error_body("invalid", detail=message)
                if adapter.code == "generic"
                else adapter.error_reply(message=message, transaction_id=transaction_id[:100])
            )
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
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
                "ref1": serializers.CharField(required=False),
                "status": serializers.ChoiceField(choices=["paid", "refunded"], required=False),
                "ref2": serializers.CharField(required=False),
                "ref3": serializers.CharField(required=False),
                "payer_name": serializers.CharField(required=False),
                "bank_code": serializers.CharField(required=False),
            },
        ),
        responses={200: BankConfirmationAccepted},
    )
    def post(self, request):
        return self.signed(request) or self.confirm(request, banks.ADAPTERS["generic"])


class BankConfirmationByBankView(BankConfirmationBase):
    """The same endpoint in a bank's own format (`scb`, or `generic`); the reply is in that bank's format."""

    @extend_schema(
        operation_id="payments_bank_confirmation_by_bank",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        parameters=SIGNATURE_HEADERS,
    )
    def post(self, request, bank: str):
        adapter = banks.ADAPTERS.get(bank)
        if adapter is None:
            return Response(error_body("not_found", detail=f"unknown bank adapter {bank}"), status=404)
        return self.signed(request) or self.confirm(request, adapter)


class BankNativeConfirmationView(BankConfirmationBase):
    """A bank's own callback (`scb`, `kbank`), to the URL the town registered with that bank.

    Neither bank signs its callbacks in a way it documents: the URL carries the town's secret token
    for that bank, the proxy may restrict the bank's addresses (BankConnection.allowed_networks, also
    checked here) or require its client certificate (docs/operations.md). The reply is in that
    bank's own format, for errors too.
    """

    @extend_schema(
        operation_id="payments_bank_native_confirmation",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request, bank: str, token: str):
        adapter = banks.ADAPTERS.get(bank)
        connection = selectors.bank_connection(bank) if bank != "generic" else None
        if adapter is None or connection is None or not hmac.compare_digest(
            token.encode(), connection.callback_token.encode()
        ):
            return Response(
                error_body("authentication_failed", detail="unknown bank or callback token"),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        if not selectors.address_allowed(connection, request.META.get("REMOTE_ADDR", "")):
            return Response(
                error_body("permission_denied", detail="address not allowed for this bank"),
                status=status.HTTP_403_FORBIDDEN,
            )
        return self.confirm(request, adapter)


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
