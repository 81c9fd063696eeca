"""Token sign-in for API clients: staff on a town host, DGA admins on the platform host.

Tokens are rows in the schema of the host that issued them (tenancy rule 4): a Bang Sare token
presented to another town finds no row there and is refused with 401.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from .errors import error_body
from .tokens import issue_token


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()


class CurrentUser(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    kind = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    schema = serializers.CharField()


class LoginThrottle(AnonRateThrottle):
    rate = "10/min"


class IsStaffMember(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.kind == "staff")


class IsPlatformAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.kind == "platform_admin")


class ObtainToken(APIView):
    """Exchange a username and password for an API token of this host."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]
    allowed_kinds: tuple[str, ...] = ("staff",)

    @extend_schema(request=TokenRequest, responses={200: TokenResponse}, operation_id="obtain_token")
    def post(self, request):
        data = TokenRequest(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None or user.kind not in self.allowed_kinds:
            return Response(error_body("authentication_failed"), status=status.HTTP_401_UNAUTHORIZED)
        # A new token on every sign-in (only its digest is kept, so the old one cannot be shown again).
        return Response({"token": issue_token(user)})


class PlatformObtainToken(ObtainToken):
    allowed_kinds = ("platform_admin",)


class Me(APIView):
    """Who the token or session belongs to, and in which schema."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CurrentUser}, operation_id="current_user")
    def get(self, request):
        from django.db import connection

        user = request.user
        return Response(CurrentUser({
            "username": user.username, "full_name": user.get_full_name(), "email": user.email,
            "kind": user.kind, "roles": user.role_codes(), "schema": connection.schema_name,
        }).data)
