"""Each diary table's REST classes are written out by name and take their fields from the registry."""

from __future__ import annotations

from django.contrib import admin as django_admin
from django.urls import resolve
from rest_framework import serializers as drf

from diary import admin, serializers, views
from diary.serializers import DiaryRecordSerializer
from diary.tables import TABLES


def test_every_table_has_a_serializer_and_a_viewset_named_after_its_model_and_routed_by_its_route():
    for name, spec in TABLES.items():
        serializer = getattr(serializers, f"{spec.model.__name__}Serializer")
        viewset = getattr(views, f"{spec.model.__name__}ViewSet")

        assert serializer.spec is spec and serializers.SERIALIZERS[name] is serializer
        assert viewset.serializer_class is serializer and viewset.table == name
        assert resolve(f"/api/v1/{spec.route}/").func.cls is viewset
        assert resolve(f"/api/v1/{spec.route}/some-id/").func.cls is viewset


def test_every_table_has_a_read_only_admin_class_written_out_and_named_after_its_model():
    for name, spec in TABLES.items():
        model_admin = getattr(admin, f"{spec.model.__name__}Admin")

        assert model_admin.spec is spec and admin.ADMINS[name] is model_admin
        assert model_admin.__module__ == "diary.admin"
        assert type(django_admin.site._registry[spec.model]) is model_admin


# Server-side reads of imported records (diary.health), after the columns: never on the sync wire.
IMPORT_FIELDS = {
    "caffeine_intakes": ["imported"],
    "sleep_logs": ["imported", "asleep_min"],
    "exercise_sessions": ["imported"],
}


def test_a_serializer_shows_the_id_then_the_tables_columns_then_the_servers_times():
    for spec in TABLES.values():
        fields = serializers.SERIALIZERS[spec.name]().fields
        extras = IMPORT_FIELDS.get(spec.name, [])

        assert list(fields) == ["id", *(c.name for c in spec.columns), *extras, "created_at", "updated_at"]
        assert all(fields[name].read_only for name in extras)


def test_a_field_a_serializer_declares_itself_stands_in_for_its_columns_and_keeps_its_place():
    class ShortNotesEpisodeSerializer(DiaryRecordSerializer):
        spec = TABLES["episodes"]
        notes = drf.CharField(max_length=5)

    fields = ShortNotesEpisodeSerializer().fields

    assert list(fields) == list(serializers.EpisodeSerializer().fields)
    assert fields["notes"].max_length == 5


def test_each_serializer_binds_fields_of_its_own_and_reads_as_a_deep_copy_would():
    first = serializers.EpisodeSerializer(data={"body_sites": ["left_index", 5]})
    second = serializers.EpisodeSerializer(data={"body_sites": ["x" * 65]})

    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other and field.parent is first and other.parent is second
        assert field.field_name == other.field_name == name
        assert type(field) is type(other) and field.source == other.source
    sites = first.fields["body_sites"]
    assert sites.child is not second.fields["body_sites"].child and sites.child.parent is sites
    assert not first.is_valid() and not second.is_valid()
    assert first.errors["body_sites"] == {1: ["must be a string"]}
    assert second.errors["body_sites"] == {0: ["Ensure this field has no more than 64 characters."]}
    # The fields DRF would have made itself, a deep copy of the declared ones, read the same.
    declared = drf.Serializer.get_fields(first)
    assert list(declared) == list(first.fields)
    assert [type(f) for f in declared.values()] == [type(f) for f in first.fields.values()]


def bound(field) -> dict:
    """What binding a field works out, and what it is bound to."""
    child = getattr(field, "child", None)
    return {
        "type": type(field),
        "name": field.field_name,
        "label": field.label,
        "source": field.source,
        "source_attrs": field.source_attrs,
        "parent": type(field.parent),
        "child": None if child is None else (type(child), child.field_name, child.source_attrs),
    }


def test_every_serializers_fields_are_bound_as_drfs_own_binding_binds_them():
    for serializer_class in serializers.SERIALIZERS.values():
        ours = serializer_class(data={})
        theirs = drf.BindingDict(ours)
        for name, field in drf.Serializer.get_fields(ours).items():
            theirs[name] = field  # DRF's bind, on DRF's own deep copy

        assert list(ours.fields) == list(theirs)
        for name, field in ours.fields.items():
            assert bound(field) == bound(theirs[name]), (serializer_class.__name__, name)
            assert field.parent is ours and (getattr(field, "child", None) is None or field.child.parent is field)
