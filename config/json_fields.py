"""Serializer fields that take a value only in the JSON type the schema declares for it.

DRF's own fields coerce: a CharField stores the number 5 as "5", an IntegerField reads
"5" and 5.0, a BooleanField reads "yes" and 1. The schema promises a string, an integer
or a boolean, and the API should keep that promise both ways, so a wrong type is a 400
that names the field, never a silent conversion.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class _JsonTyped:
    """Refuses a value whose JSON type is not the field's before the field reads it."""

    json_types: tuple[type, ...] = ()
    json_type_name = ""

    def to_internal_value(self, data: Any) -> Any:
        # bool is a subclass of int in Python, but true is not a number in JSON.
        if not isinstance(data, self.json_types) or (isinstance(data, bool) and bool not in self.json_types):
            raise serializers.ValidationError(f"must be {self.json_type_name}", code="invalid_type")
        return super().to_internal_value(data)  # type: ignore[misc]  # the DRF field this mixes into


class _JsonString(_JsonTyped):
    json_types = (str,)
    json_type_name = "a string"


class CharField(_JsonString, serializers.CharField):
    pass


class RegexField(_JsonString, serializers.RegexField):
    pass


class EmailField(_JsonString, serializers.EmailField):
    pass


class DateField(_JsonString, serializers.DateField):
    json_type_name = "a date string (YYYY-MM-DD)"


class DateTimeField(_JsonString, serializers.DateTimeField):
    json_type_name = "an ISO 8601 date-time string"


class IntegerField(_JsonTyped, serializers.IntegerField):
    json_types = (int,)
    json_type_name = "a whole number"


class FloatField(_JsonTyped, serializers.FloatField):
    json_types = (int, float)
    json_type_name = "a number"


class BooleanField(_JsonTyped, serializers.BooleanField):
    json_types = (bool,)
    json_type_name = "true or false"
