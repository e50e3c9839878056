"""REST shapes of the diary tables and the catalogues.

One ModelSerializer per table, built from the TABLES registry, so a table added there
gets its REST shape without a new class here. The serializers check types and shape
only: every rule (ranges, catalogue codes, future times, a night under 24 hours) lives
in diary.rules and is applied by diary.services, which REST and sync share, so both
answer the same input with the same message.

The REST representation differs from the sync wire: ``id`` is the client id, times are
ISO 8601, lists are real JSON arrays and ``medication_id`` is the medication's client id.
"""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers

from config import json_fields
from diary.models import DiaryRecord
from diary.tables import CLIENT_ID_PATTERN, TABLES, Column, TableSpec, WireError, read_samples

ID_HELP = "The record's id: 1-64 letters, digits, '_' or '-'. Optional on create (the server makes one)."
MAX_LIST_ITEMS = 50


class ReferenceField(json_fields.RegexField):
    """Another of the user's records, by its client id; the service resolves it for this user only."""

    def __init__(self, *, attribute: str, **kwargs: Any) -> None:
        self.attribute = attribute
        super().__init__(CLIENT_ID_PATTERN, **kwargs)

    def get_attribute(self, instance: DiaryRecord) -> str:
        return getattr(instance, self.attribute).client_id


class SamplesField(serializers.JSONField):
    """The three accelerometer axes, read as the sync wire reads them: any other key is dropped,
    so nothing but numbers under x, y and z reaches the database's JSON column."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError('must be an object {"x": [...], "y": [...], "z": [...]}')
        try:
            return read_samples(data)
        except WireError as exc:
            raise serializers.ValidationError(str(exc)) from None


def column_field(column: Column) -> serializers.Field:
    """The serializer field that reads a column's REST value: its type and shape, nothing more."""
    optional: dict[str, Any] = {"required": column.required}
    if column.nullable:
        optional["allow_null"] = True
    if column.read_only:
        # The server's own columns: a nullable one reads as null until the server fills it.
        optional = {"read_only": True, "allow_null": optional.get("allow_null", False)}
    if column.kind == "samples":
        return SamplesField(
            help_text='{"x": [...], "y": [...], "z": [...]}: accelerometer axes in m/s^2, equal lengths, 10-60 s.',
            **optional,
        )
    if column.kind == "datetime":
        return json_fields.DateTimeField(**optional)
    if column.kind == "date":
        return json_fields.DateField(**optional)
    if column.kind == "int":
        return json_fields.IntegerField(**optional)
    if column.kind == "float":
        return json_fields.FloatField(**optional)
    if column.kind == "bool":
        return json_fields.BooleanField(**optional)
    if column.kind == "list":
        return serializers.ListField(child=json_fields.CharField(max_length=64), max_length=MAX_LIST_ITEMS, **optional)
    if column.kind == "ref":
        return ReferenceField(
            attribute=column.name.removesuffix("_id"), help_text=f"The id of a {column.ref_table} record.", **optional
        )
    # Strings may be blank here: the rules say which must not be, with a clearer message.
    return json_fields.CharField(max_length=column.max_length, allow_blank=True, **optional)


class DiaryRecordSerializer(serializers.ModelSerializer):
    """What every table shares: the client id and the server's own times."""

    id = json_fields.RegexField(CLIENT_ID_PATTERN, source="client_id", required=False, help_text=ID_HELP)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    spec: TableSpec

    def validate_id(self, value: str) -> str:
        if self.instance is not None and value != self.instance.client_id:
            raise serializers.ValidationError("cannot be changed; leave it out or send the record's own id")
        return value

    def column_values(self) -> dict[str, Any]:
        """The validated columns as the service takes them (the id travels apart)."""
        return {name: value for name, value in self.validated_data.items() if name != "client_id"}


def _serializer_for(spec: TableSpec) -> type[DiaryRecordSerializer]:
    fields = ("id", *(c.name for c in spec.columns), "created_at", "updated_at")
    meta = type("Meta", (), {"model": spec.model, "fields": fields})
    attrs: dict[str, Any] = {column.name: column_field(column) for column in spec.columns}
    attrs.update(
        Meta=meta, spec=spec, __module__=__name__, __doc__=f"A {spec.name} record as the REST API reads and writes it."
    )
    # DRF's metaclass, as a class statement would use, gathers the declared fields.
    serializer = serializers.SerializerMetaclass(f"{spec.model.__name__}Serializer", (DiaryRecordSerializer,), attrs)
    return cast("type[DiaryRecordSerializer]", serializer)


# Table name -> its serializer, e.g. SERIALIZERS["episodes"] is EpisodeSerializer.
SERIALIZERS: dict[str, type[DiaryRecordSerializer]] = {name: _serializer_for(spec) for name, spec in TABLES.items()}


# --- Catalogues ------------------------------------------------------------------------


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # declared field; stubs see Field.label


class DrinkSerializer(CodeLabelSerializer):
    serving = serializers.CharField()
    mg_per_serving = serializers.FloatField()
    fda_range = serializers.CharField(allow_null=True)


class DrinkCatalogueSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]  # declared field; stubs see Field.source
    daily_guide_mg = serializers.IntegerField()
    items = DrinkSerializer(many=True)


class DrugClassSerializer(CodeLabelSerializer):
    link = serializers.CharField(help_text="What is known about this class and twitching, in plain words.")
    source = serializers.CharField()  # type: ignore[assignment]  # declared field; stubs see Field.source


class MedicineSerializer(CodeLabelSerializer):
    drug_class = DrugClassSerializer()


class MedicineCatalogueSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    items = MedicineSerializer(many=True)
    drug_classes = DrugClassSerializer(many=True, help_text="Every class, for a medication not in the catalogue.")


class BodySiteSerializer(CodeLabelSerializer):
    side = serializers.CharField(allow_null=True, help_text="left, right, or null for a midline site.")
    part = serializers.CharField()
    region = serializers.CharField()
    is_finger = serializers.BooleanField()


class BodySiteCatalogueSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    items = BodySiteSerializer(many=True)


class TermsCatalogueSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    characters = CodeLabelSerializer(many=True)
    contexts = CodeLabelSerializer(many=True)
    symptoms = CodeLabelSerializer(many=True)
    exercise_intensities = CodeLabelSerializer(many=True)
    lab_analytes = CodeLabelSerializer(many=True)
