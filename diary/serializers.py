"""REST shapes of the diary tables and the catalogues.

One ModelSerializer per table, written out by name (EpisodeSerializer, ...): each names its
table in TABLES and takes its fields from the table's columns, so a new table needs one
short class here and the registry stays the one list of columns. The serializers check types and shape
only: every rule (ranges, catalogue codes, future times, a night under 24 hours) lives
in diary.record_checks and is applied by diary.services, which REST and sync share, so both
answer the same input with the same message.

The REST representation differs from the sync wire: ``id`` is the client id, times are
ISO 8601, lists are real JSON arrays and ``medication_id`` is the medication's client id.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

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


class DiaryRecordSerializer(serializers.Serializer):
    """What every table shares: the client id and the server's own times.

    A subclass names its table (``spec = TABLES[...]``); its column fields are made from that
    table's columns when the class is defined, as a class statement listing them would make
    them, so the registry stays the one place a column is declared. Every field is declared,
    so nothing is read from the model's own fields.
    """

    id = json_fields.RegexField(CLIENT_ID_PATTERN, source="client_id", required=False, help_text=ID_HELP)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    spec: ClassVar[TableSpec]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "spec" not in cls.__dict__:
            return  # a shared base of several tables, not a table's own serializer
        # DRF's metaclass has gathered the declared fields by now. The columns go between the id
        # and the server's times, the order every REST answer shows; a field the subclass
        # declares itself stands in for its column's.
        own = dict(cls._declared_fields)
        shared = {name: own.pop(name) for name in ("id", "created_at", "updated_at")}
        columns = {c.name: own.pop(c.name) if c.name in own else column_field(c) for c in cls.spec.columns}
        cls._declared_fields = {"id": shared["id"], **columns, **own, **shared}

    def get_fields(self) -> dict[str, serializers.Field]:
        """The declared fields, as DRF's get_fields gives them, without its deep copy per serializer.

        DRF deep-copies every declared field for each serializer it makes, which re-runs every
        field's __init__: 0.3 ms of an episode POST's CPU (bench/throughput.sh). Here the deep
        copy is made once per class and kept unbound; each serializer takes a shallow copy of
        each field (and of a list's child, re-parented). The fields' settings are the same
        objects, never changed after __init__; what binding and a request set on a field (its
        parent, name, source) is the copy's own."""
        return _clones(_prototypes(type(self), bound=False))

    @cached_property
    def fields(self) -> BindingDict:  # type: ignore[override]
        """DRF's fields property, taking copies of fields bound once per class (name, label,
        source: what bind works out from the field's name, the same for every serializer of the
        class) and giving each this serializer as its parent, instead of binding every field of
        every serializer again."""
        fields = BindingDict(self)
        for name, field in _clones(_prototypes(type(self), bound=True)).items():
            field.parent = self
            fields.fields[name] = field
        return fields

    def validate_id(self, value: str) -> str:
        if self.instance is not None and value != self.instance.client_id:
            raise serializers.ValidationError("cannot be changed; leave it out or send the record's own id")
        return value

    def column_values(self) -> dict[str, Any]:
        """The validated columns as the service takes them (the id travels apart)."""
        return {name: value for name, value in self.validated_data.items() if name != "client_id"}


def _shallow_copy(field: serializers.Field) -> Any:
    """What copy.copy makes of a field (a new instance sharing the attribute values), without
    its detour through __reduce_ex__."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


def _clones(prototypes: dict[str, serializers.Field]) -> dict[str, serializers.Field]:
    """A shallow copy of each field, and of a list's child, which gets its own list as parent."""
    fields = {}
    for name, prototype in prototypes.items():
        field = fields[name] = _shallow_copy(prototype)
        child = getattr(prototype, "child", None)
        if isinstance(child, serializers.Field):
            field.child = _shallow_copy(child)  # type: ignore[attr-defined]  # a ListField's
            field.child.parent = field  # type: ignore[attr-defined]
    return fields


# (serializer class, bound) -> its declared fields, deep-copied once (see get_fields); the bound
# ones bound once to no serializer (see fields), the others never.
_FIELD_PROTOTYPES: dict[tuple[type[DiaryRecordSerializer], bool], dict[str, serializers.Field]] = {}


def _prototypes(serializer: type[DiaryRecordSerializer], *, bound: bool) -> dict[str, serializers.Field]:
    prototypes = _FIELD_PROTOTYPES.get((serializer, bound))
    if prototypes is None:
        prototypes = copy.deepcopy(serializer._declared_fields)
        if bound:
            for name, field in prototypes.items():
                field.bind(field_name=name, parent=None)  # type: ignore[arg-type]
        _FIELD_PROTOTYPES[(serializer, bound)] = prototypes
    return prototypes


class ImportedSourceSerializer(serializers.Serializer):
    """Where an imported record came from; the record itself reads null for an entry logged by hand."""

    platform = serializers.CharField(source="import_platform", help_text="healthkit or health_connect.")
    source = serializers.CharField(source="import_source", help_text="The writing app's bundle id or package name.")  # type: ignore[assignment]
    sample_id = serializers.CharField(source="import_sample_id", help_text="The health store's own id of the sample.")
    version = serializers.IntegerField(source="import_version", allow_null=True)
    user_entered = serializers.BooleanField(
        source="import_user_entered", allow_null=True, help_text="Typed in by a person (true) or recorded by a device."
    )
    unit = serializers.CharField(source="import_unit", help_text="The unit the store used.")
    time_zone = serializers.CharField(
        source="import_time_zone", help_text="IANA zone or UTC offset, as the store said."
    )


@extend_schema_field(ImportedSourceSerializer(allow_null=True, read_only=True))
class ImportedSourceField(serializers.Field):
    """Read-only, server-side: ``null`` for a hand-logged record, its source for an imported one
    (diary.health). Not a sync column: the app tells imported records by their "hs-" ids."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, allow_null=True, **kwargs)

    def to_representation(self, record: Any) -> Any:
        return ImportedSourceSerializer(record).data if record.import_platform else None


class EpisodeSerializer(DiaryRecordSerializer):
    """A episodes record as the REST API reads and writes it."""

    spec = TABLES["episodes"]


class CaffeineIntakeSerializer(DiaryRecordSerializer):
    """A caffeine_intakes record as the REST API reads and writes it."""

    spec = TABLES["caffeine_intakes"]
    imported = ImportedSourceField()


class SleepLogSerializer(DiaryRecordSerializer):
    """A sleep_logs record as the REST API reads and writes it."""

    spec = TABLES["sleep_logs"]
    imported = ImportedSourceField()
    asleep_min = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="An imported night's minutes asleep (its asleep stages); null by hand.",
    )


class StressLogSerializer(DiaryRecordSerializer):
    """A stress_logs record as the REST API reads and writes it."""

    spec = TABLES["stress_logs"]


class MedicationSerializer(DiaryRecordSerializer):
    """A medications record as the REST API reads and writes it."""

    spec = TABLES["medications"]


class MedicationDoseSerializer(DiaryRecordSerializer):
    """A medication_doses record as the REST API reads and writes it."""

    spec = TABLES["medication_doses"]


class ExerciseSessionSerializer(DiaryRecordSerializer):
    """A exercise_sessions record as the REST API reads and writes it."""

    spec = TABLES["exercise_sessions"]
    imported = ImportedSourceField()


class TremorRecordingSerializer(DiaryRecordSerializer):
    """A tremor_recordings record as the REST API reads and writes it."""

    spec = TABLES["tremor_recordings"]


class LabResultSerializer(DiaryRecordSerializer):
    """A lab_results record as the REST API reads and writes it."""

    spec = TABLES["lab_results"]


class DayCheckinSerializer(DiaryRecordSerializer):
    """A day_checkins record as the REST API reads and writes it."""

    spec = TABLES["day_checkins"]


# Table name -> its serializer, e.g. SERIALIZERS["episodes"] is EpisodeSerializer.
SERIALIZERS: dict[str, type[DiaryRecordSerializer]] = {
    serializer.spec.name: serializer
    for serializer in (
        EpisodeSerializer,
        CaffeineIntakeSerializer,
        SleepLogSerializer,
        StressLogSerializer,
        MedicationSerializer,
        MedicationDoseSerializer,
        ExerciseSessionSerializer,
        TremorRecordingSerializer,
        LabResultSerializer,
        DayCheckinSerializer,
    )
}


class PlanDaySerializer(serializers.Serializer):
    experiment_id = serializers.CharField(help_text="The experiment's id.")
    assignment = serializers.ChoiceField(choices=["with", "without"])
    label = serializers.CharField()  # type: ignore[assignment]  # declared field; stubs see Field.label
    instruction = serializers.CharField()


class CheckinTodaySerializer(serializers.Serializer):
    day = serializers.DateField(help_text="Today in the profile's timezone (which follows the phone).")
    timezone = serializers.CharField(help_text="The profile's timezone the day is counted in.")
    due = serializers.BooleanField(help_text="True until today has a check-in: the app may remind the person.")
    checkin = DayCheckinSerializer(allow_null=True, help_text="Today's check-in, when there is one.")
    plan = PlanDaySerializer(
        allow_null=True,
        help_text="Today's assignment in a running self-experiment: ask 'kept today's plan?' (kept_plan).",
    )


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
