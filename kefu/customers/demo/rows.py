"""Fast row building and inserting for millions of demo rows (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models.base import ModelState
from django.utils import timezone

from kefu.core.crypto import EncryptedTextField


class _Blueprint:
    """Field defaults and foreign keys of one model, for new_row."""

    def __init__(self, model):
        fields = model._meta.concrete_fields
        self.defaults = {f.attname: None if f.primary_key else f.get_default() for f in fields}
        self.foreign_keys = {f.name: f.attname for f in fields if f.many_to_one}


_BLUEPRINTS: dict[type, _Blueprint] = {}


def new_row(model, **values):
    """A model instance without Model.__init__, which is half the cost of generating a bulk
    customer. Only for rows that insert_rows writes: no signals, no validation, and callable
    defaults are evaluated once per model (pass such fields explicitly)."""
    blueprint = _BLUEPRINTS.get(model) or _BLUEPRINTS.setdefault(model, _Blueprint(model))
    obj = model.__new__(model)
    obj._state = ModelState()
    attrs = obj.__dict__
    attrs.update(blueprint.defaults)
    cache = obj._state.fields_cache
    for name, value in values.items():
        attname = blueprint.foreign_keys.get(name)
        if attname is None:
            attrs[name] = value
        elif value is not None:
            cache[name] = value
            attrs[attname] = value.pk
    return obj


class _InsertPlan:
    """How to turn one model's instances into rows for ``executemany``.

    Django's bulk_create spends most of its time in generic per-value machinery; the demo
    inserts millions of rows, so values go through the connection's own adapters directly.
    Encrypted columns still go through the field (AES-GCM in get_prep_value). Primary keys
    are allocated first, so children refer to their parents without reading ids back.
    """

    def __init__(self, connection, model):
        ops = connection.ops
        self.table = model._meta.db_table
        fields = model._meta.concrete_fields
        columns = ", ".join(ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # identifiers come from the model, quoted; values are parameters
        self.sql = f"INSERT INTO {ops.quote_name(self.table)} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {ops.quote_name(self.table)} ({columns}) FROM STDIN"
        self.getters = [self._getter(connection, f) for f in fields]

    @staticmethod
    def _getter(connection, f):

        ops, attname = connection.ops, f.attname
        if f.primary_key:
            return lambda obj: obj.pk
        if f.many_to_one:

            def foreign_key(obj, attname=attname, name=f.name):
                value = obj.__dict__.get(attname)
                if value is None:
                    related = obj._state.fields_cache.get(name)
                    value = related.pk if related is not None else None
                return value

            return foreign_key
        if isinstance(f, EncryptedTextField):
            return lambda obj: f.get_prep_value(obj.__dict__[attname])
        if isinstance(f, models.DateTimeField):
            if f.auto_now or f.auto_now_add:
                return lambda obj: ops.adapt_datetimefield_value(timezone.now())
            return lambda obj: ops.adapt_datetimefield_value(obj.__dict__[attname])
        if isinstance(f, models.DateField):
            return lambda obj: ops.adapt_datefield_value(obj.__dict__[attname])
        if isinstance(f, models.GenericIPAddressField):
            return lambda obj: ops.adapt_ipaddressfield_value(obj.__dict__[attname])
        return lambda obj: obj.__dict__[attname]


_PLANS: dict[tuple[str, type], _InsertPlan] = {}


def _allocate_ids(connection, table: str, count: int) -> Iterable[int]:
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [quoted, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the write lock, so nobody else takes these ids.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
        return range(first, first + count)


def insert_rows(connection, model, objs: list) -> None:
    if connection.vendor not in ("sqlite", "postgresql"):
        model.objects.bulk_create(objs)
        return
    key = (connection.alias, model)
    plan = _PLANS.get(key) or _PLANS.setdefault(key, _InsertPlan(connection, model))
    for obj, pk in zip(objs, _allocate_ids(connection, plan.table, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding = False
    getters = plan.getters
    rows = [tuple(get(obj) for get in getters) for obj in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than INSERT on PostgreSQL
            with cursor.cursor.copy(plan.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(plan.sql, rows)


def insert_values(connection, model, attnames: list[str], rows: list[tuple]) -> None:
    """Insert rows given as tuples of database-ready values for ``attnames`` (the primary key
    is left to the database). For importers that build millions of rows of one model, where
    even new_row's per-field getters are too slow."""
    if not rows:
        return
    ops = connection.ops
    columns = [model._meta.get_field(a.removesuffix("_id")).column for a in attnames]
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # identifiers come from the model, quoted; values are parameters
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
