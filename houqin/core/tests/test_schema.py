"""houqin.core.schema: the facts `manage.py check_migrations` compares, and the differences it names."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection

from houqin.core.schema import differences, facts
from houqin.org.models import Child

pytestmark = pytest.mark.django_db


def test_a_database_is_described_by_its_tables_columns_keys_and_rows(world):
    found = facts(connection)  # every table, read once (SQLite parses each table's SQL: seconds)
    models = {m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed}
    assert models <= found.keys() and len(found) < len(models) + 5  # Django's own (migrations) besides
    assert differences(found, found) == []
    children = found["org_child"]
    assert {"id", "kindergarten_id", "name"} <= children["columns"].keys()
    assert children["rows"] == Child.objects.count() > 0
    assert any(primary for _columns, primary, *_rest in children["constraints"])
    assert ("org_kindergarten", "id") in {foreign for _c, _p, _u, foreign, *_rest in children["constraints"]}


def test_each_way_two_databases_differ_is_named():
    tables = {"org_child", "auth_group", "houqin_schema_probe", "org_kindergarten"}
    before, groups = facts(connection, tables), Group.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE org_child ADD COLUMN houqin_extra integer NULL")
        cursor.execute("CREATE INDEX houqin_extra_name ON org_child (name)")
        cursor.execute("CREATE TABLE houqin_schema_probe (id integer)")
    Group.objects.create(name="多出的一行")
    found = differences(facts(connection, tables), before)
    assert f"auth_group: {groups + 1} rows instead of {groups}" in found
    assert "houqin_schema_probe: not in the models" in found
    assert any(line.startswith("org_child.houqin_extra: (") and line.endswith("instead of None") for line in found)
    assert any(line.startswith("org_child: extra constraint or index (('name',)") for line in found)
    assert len(found) == 4, found
    assert "houqin_schema_probe: missing" in differences(before, facts(connection, tables))
    assert set(before) == tables - {"houqin_schema_probe"}
