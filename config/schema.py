"""OpenAPI generation that documents the error shape on every operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable code, e.g. invalid, not_authenticated, throttled.")
    message = serializers.CharField(help_text="A sentence for the user.")
    fields = serializers.DictField(  # type: ignore[assignment]  # declared field; stubs see Serializer.fields
        child=serializers.JSONField(),
        help_text="Per field (or record path), the rules it broke. Empty when the error is not about a field.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `fields` names each field and the rule it broke.",
    "401": "Missing, invalid or expired token.",
    "403": "Not allowed.",
    "404": "Not found, or not yours.",
    "405": "Method not allowed.",
    "429": "Too many requests; `Retry-After` says when to retry.",
}


class ErrorDocumentingAutoSchema(AutoSchema):
    """Adds the shared error response to each operation for the codes it can return."""

    def _error_codes(self) -> list[str]:
        codes = ["400", "404", "405", "429"]
        # An operation without authentication is declared as [{}]: it never answers 401 or 403.
        # One that takes a token, even optionally, answers 401 to a bad one.
        if any(requirement for requirement in self.get_auth()):
            codes += ["401", "403"]
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses
