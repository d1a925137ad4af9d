"""The model schema the planner works over, exported once from Django's ``_meta``.

:func:`export_schema` walks every installed model and builds a plain,
JSON-ready structure (documented by the ``TypedDict`` classes below). It
crosses to Rust once, where ``djust-planner`` compiles it into an immutable
``SchemaGraph``; the planner never calls back into Python while planning.

The export is cached for the process and dropped when a model class is
prepared later (``class_prepared``: models created at runtime, test apps).
Its ``version`` is a hash of the content, so plans made against an older
schema never match a newer one.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import TypedDict

from django.apps import apps
from django.db import models
from django.db.models.signals import class_prepared

from djust.introspect import AttributeInfo, analyse_model


class FieldInfo(TypedDict):
    """A concrete field with a column (inherited fields included)."""

    name: str
    attname: str
    column: str
    is_relation: bool


class RelationInfo(TypedDict, total=False):
    """A relation accessor, seen from the model holding it.

    ``kind`` is one of ``forward_fk``, ``forward_o2o``, ``reverse_o2o``,
    ``reverse_fk``, ``m2m``, ``reverse_m2m``, ``generic_fk``,
    ``generic_relation``. ``remote_field`` is the field on the target that
    points back (reverse FK/O2O); ``through`` the M2M through model.
    """

    name: str
    kind: str
    target: str | None
    nullable: bool
    remote_field: str | None
    through: str | None
    generic_fields: list[str]
    parent_link: bool


class ModelInfo(TypedDict):
    """One model."""

    label: str
    name: str
    table: str
    pk: str
    pk_attname: str
    fields: list[FieldInfo]
    relations: list[RelationInfo]
    attributes: dict[str, AttributeInfo]
    proxy_for: str | None
    parents: list[str]
    custom_default_manager: bool
    default_manager: str


class Schema(TypedDict):
    """Everything the planner knows about the project's models."""

    version: str
    models: list[ModelInfo]


def _relation(field: object) -> RelationInfo | None:
    """Describe one entry of ``_meta.get_fields()`` that is a relation."""
    if not getattr(field, "is_relation", False):
        return None
    related = getattr(field, "related_model", None)
    target = related._meta.label if related is not None and related != "self" else None
    name: str = field.name  # type: ignore[attr-defined]
    if hasattr(field, "ct_field") and hasattr(field, "fk_field") and not getattr(field, "concrete", False):
        if getattr(field, "many_to_one", False):
            return {
                "name": name,
                "kind": "generic_fk",
                "target": None,
                "generic_fields": [field.ct_field, field.fk_field],
            }
    if getattr(field, "auto_created", False) and not getattr(field, "concrete", False):
        # A reverse relation (ManyToOneRel, OneToOneRel, ManyToManyRel).
        accessor = field.get_accessor_name()  # type: ignore[attr-defined]
        if accessor is None:
            return None
        if field.one_to_one:  # type: ignore[attr-defined]
            kind = "reverse_o2o"
        elif field.many_to_many:  # type: ignore[attr-defined]
            kind = "reverse_m2m"
        else:
            kind = "reverse_fk"
        info: RelationInfo = {"name": accessor, "kind": kind, "target": target, "remote_field": field.field.name}  # type: ignore[attr-defined]
        if kind == "reverse_m2m":
            info["through"] = field.through._meta.label  # type: ignore[attr-defined]
        return info
    if getattr(field, "many_to_many", False):
        return {"name": name, "kind": "m2m", "target": target, "through": field.remote_field.through._meta.label}  # type: ignore[attr-defined]
    if getattr(field, "one_to_many", False):
        # GenericRelation: a manager over content types.
        return {"name": name, "kind": "generic_relation", "target": target}
    if getattr(field, "one_to_one", False):
        return {
            "name": name,
            "kind": "forward_o2o",
            "target": target,
            "nullable": bool(field.null),  # type: ignore[attr-defined]
            "parent_link": bool(field.remote_field.parent_link),  # type: ignore[attr-defined]
        }
    if getattr(field, "many_to_one", False):
        return {"name": name, "kind": "forward_fk", "target": target, "nullable": bool(field.null)}  # type: ignore[attr-defined]
    return None


def _has_custom_manager(model: type[models.Model]) -> bool:
    manager = model._default_manager
    return (
        type(manager).get_queryset is not models.Manager.get_queryset
        or type(manager)._queryset_class is not models.QuerySet
    )


def describe_model(model: type[models.Model]) -> ModelInfo:
    """The planner's view of one model."""
    meta = model._meta
    relations: list[RelationInfo] = []
    for field in meta.get_fields(include_hidden=False):
        info = _relation(field)
        if info is not None:
            relations.append(info)
    return {
        "label": meta.label,
        "name": model.__name__,
        "table": meta.db_table,
        "pk": meta.pk.name,
        "pk_attname": meta.pk.attname,
        "fields": [
            {"name": f.name, "attname": f.attname, "column": f.column, "is_relation": f.is_relation}
            for f in meta.concrete_fields
        ],
        "relations": relations,
        "attributes": analyse_model(model),
        "proxy_for": meta.concrete_model._meta.label if meta.proxy else None,
        "parents": [parent._meta.label for parent in meta.parents],
        "custom_default_manager": _has_custom_manager(model),
        "default_manager": model._default_manager.name or "objects",
    }


def build_schema() -> Schema:
    """Walk every installed model (auto-created through models included)."""
    described = [describe_model(m) for m in apps.get_models(include_auto_created=True)]
    described.sort(key=lambda m: m["label"])
    digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]
    return {"version": digest, "models": described}


_lock = threading.Lock()
_cached: tuple[Schema, str] | None = None


def export_schema() -> tuple[Schema, str]:
    """The schema and its JSON, built once per process (and after model changes)."""
    global _cached
    cached = _cached
    if cached is not None:
        return cached
    with _lock:
        if _cached is None:
            schema = build_schema()
            _cached = (schema, json.dumps(schema))
        return _cached


def invalidate(**_: object) -> None:
    """Forget the exported schema (a model class was prepared after export)."""
    global _cached
    with _lock:
        _cached = None


class_prepared.connect(invalidate, dispatch_uid="djust.schema.invalidate")
