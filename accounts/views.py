"""Account endpoints: thin views that validate, call one service and shape the answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, serializers, services, throttles
from accounts.models import DeviceToken, User
from config.typing import AuthenticatedRequest

# The anonymous endpoints read a few short fields: anything longer is refused unread (413).
ANONYMOUS_BODY_BYTES = 16 * 1024


def _token_response(*, user: User, device: DeviceToken, token: str, http_status: int) -> Response:
    body = {
        "token": token,
        "expires_at": device.expiry,
        "device": device,
        "user": user,
    }
    data = serializers.TokenSerializer(body, context={"current_token": device}).data
    return Response(data, status=http_status)


def _validated(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    unreadable = getattr(request, "unreadable_body", None)  # set by a per-account throttle
    if unreadable is not None:
        raise unreadable
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RegisterView(APIView):
    permission_classes = (permissions.AllowAny,)
    max_body_bytes = ANONYMOUS_BODY_BYTES
    authentication_classes = ()
    throttle_classes = (throttles.RegisterAddressThrottle,)

    @extend_schema(
        request=serializers.RegisterSerializer,
        responses={201: serializers.TokenSerializer},
        summary="Create an account and a token for this device",
    )
    def post(self, request: Request) -> Response:
        user, device, token = services.user_register(**_validated(serializers.RegisterSerializer, request))
        return _token_response(user=user, device=device, token=token, http_status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = (permissions.AllowAny,)
    max_body_bytes = ANONYMOUS_BODY_BYTES
    authentication_classes = ()
    throttle_classes = (throttles.LoginAddressThrottle, throttles.LoginAccountThrottle)

    @extend_schema(
        request=serializers.LoginSerializer,
        responses={200: serializers.TokenSerializer},
        summary="Log in: one token per device",
    )
    def post(self, request: Request) -> Response:
        data = _validated(serializers.LoginSerializer, request)
        user, device, token = services.user_login(request=request._request, **data)
        return _token_response(user=user, device=device, token=token, http_status=status.HTTP_200_OK)


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Log out this device")
    def post(self, request: AuthenticatedRequest) -> Response:
        services.logout_current(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Log out every device")
    def post(self, request: AuthenticatedRequest) -> Response:
        services.logout_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceListView(APIView):
    @extend_schema(responses={200: serializers.DeviceSerializer(many=True)}, summary="My logged-in devices")
    def get(self, request: AuthenticatedRequest) -> Response:
        devices = selectors.device_list(user=request.user)
        data = serializers.DeviceSerializer(devices, many=True, context={"current_token": request.auth}).data
        return Response(data)


class DeviceDetailView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke a device's token")
    def delete(self, request: AuthenticatedRequest, device_id: str) -> Response:
        services.device_revoke(user=request.user, public_id=device_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses={200: serializers.UserSerializer}, summary="My profile")
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(serializers.UserSerializer(request.user).data)

    @extend_schema(
        request=serializers.UserSerializer,
        responses={200: serializers.UserSerializer},
        summary="Change my profile (display name, timezone, weekly summary, year of birth)",
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        serializer = serializers.UserSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, data=dict(serializer.validated_data))
        return Response(serializers.UserSerializer(user).data)


class PasswordChangeView(APIView):
    @extend_schema(
        request=serializers.PasswordChangeSerializer,
        responses={204: None},
        summary="Change my password (signs out my other devices)",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = _validated(serializers.PasswordChangeSerializer, request)
        services.password_change(user=request.user, keep=request.auth, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetRequestView(APIView):
    permission_classes = (permissions.AllowAny,)
    max_body_bytes = ANONYMOUS_BODY_BYTES
    authentication_classes = ()
    throttle_classes = (throttles.ResetAddressThrottle, throttles.ResetAccountThrottle)

    @extend_schema(
        request=serializers.PasswordResetRequestSerializer,
        responses={202: serializers.DetailSerializer},
        summary="Email a password reset code (same answer whether or not the account exists)",
    )
    def post(self, request: Request) -> Response:
        services.password_reset_request(**_validated(serializers.PasswordResetRequestSerializer, request))
        body = serializers.DetailSerializer(
            {"detail": "If an account exists for this email, we have sent it a reset link."}
        )
        return Response(body.data, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = (permissions.AllowAny,)
    max_body_bytes = ANONYMOUS_BODY_BYTES
    authentication_classes = ()
    throttle_classes = (throttles.ResetAddressThrottle,)

    @extend_schema(
        request=serializers.PasswordResetConfirmSerializer,
        responses={204: None},
        summary="Set a new password with the emailed code",
    )
    def post(self, request: Request) -> Response:
        services.password_reset_confirm(**_validated(serializers.PasswordResetConfirmSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailConfirmView(APIView):
    permission_classes = (permissions.AllowAny,)
    max_body_bytes = ANONYMOUS_BODY_BYTES
    authentication_classes = ()
    throttle_classes = (throttles.ResetAddressThrottle,)

    @extend_schema(
        request=serializers.EmailConfirmSerializer,
        responses={200: serializers.DetailSerializer},
        summary="Confirm my email address with the emailed code (weekly summaries start then)",
    )
    def post(self, request: Request) -> Response:
        services.email_confirm(**_validated(serializers.EmailConfirmSerializer, request))
        return Response(serializers.DetailSerializer({"detail": "Your email address is confirmed."}).data)


class EmailResendView(APIView):
    throttle_classes = (throttles.ConfirmationResendThrottle,)

    @extend_schema(
        request=None,
        responses={202: serializers.DetailSerializer},
        summary="Send the link that confirms my email address again",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        sent = services.email_confirmation_resend(user=request.user)
        detail = "We have sent the link again." if sent else "Your email address is already confirmed."
        return Response(serializers.DetailSerializer({"detail": detail}).data, status=status.HTTP_202_ACCEPTED)


class EmailChangeView(APIView):
    @extend_schema(
        request=serializers.EmailChangeSerializer,
        responses={200: serializers.UserSerializer},
        summary="Change my email address (it waits for its own confirmation link)",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        user = services.email_change(user=request.user, **_validated(serializers.EmailChangeSerializer, request))
        return Response(serializers.UserSerializer(user).data)


class AccountDeleteView(APIView):
    @extend_schema(
        request=serializers.AccountDeleteSerializer,
        responses={204: None},
        summary="Delete my account and all my data, immediately and for good",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        services.user_delete(user=request.user, **_validated(serializers.AccountDeleteSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)
