"""What a database's schema is, as facts that can be compared: do the migrations build the tables the
models describe?

The tests build their PostgreSQL tables straight from the models (as SQLite's do, and as
`manage.py migrate_fresh` does for an empty database): replaying the ~45 migrations renders the
project state at every step, minutes of CPU for each test database. `manage.py check_migrations`
keeps the real path honest instead: it builds one fresh database by the migrations and one from the
models, side by side with the tests, and compares them with these functions. Constraint and index
names are left out (Django derives them, and a renamed column keeps its old constraint's name);
everything else about a table is compared: its columns, their types, nullability and defaults, its
keys, uniques, checks and indexes, and the rows it holds after the post-migrate data load."""

from __future__ import annotations

from collections import Counter


def facts(connection, only: set[str] | None = None) -> dict[str, dict]:
    """{table: {"columns": {name: description}, "constraints": Counter of descriptions, "rows": n}}
    for every table of the connection's database (views excepted), or for the tables named in `only`
    that it has (SQLite reads a table's constraints by parsing its SQL: all of them take seconds)."""
    introspection = connection.introspection
    found = {}
    with connection.cursor() as cursor:
        tables = sorted(t.name for t in introspection.get_table_list(cursor)
                        if t.type == "t" and (only is None or t.name in only))
        checks = _check_definitions(connection, cursor)
        for table in tables:
            columns = {
                c.name: (str(c.type_code), c.display_size, c.internal_size, c.precision, c.scale, c.null_ok,
                         c.default, c.collation, getattr(c, "is_autofield", None))
                for c in introspection.get_table_description(cursor, table)
            }
            constraints = Counter(
                _constraint(description, checks.get((table, name)))
                for name, description in introspection.get_constraints(cursor, table).items()
            )
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            found[table] = {"columns": columns, "constraints": constraints, "rows": cursor.fetchone()[0]}
    return found


def _constraint(description: dict, check: str | None) -> tuple:
    foreign = description.get("foreign_key")
    return (
        tuple(description.get("columns") or ()), bool(description.get("primary_key")),
        bool(description.get("unique")), tuple(foreign) if foreign else None, bool(description.get("check")),
        bool(description.get("index")), description.get("type") or "", tuple(description.get("orders") or ()),
        check or "",
    )


def _check_definitions(connection, cursor) -> dict[tuple[str, str], str]:
    """PostgreSQL's text of each check constraint ((table, name): definition); Django's introspection
    gives a check's columns only. Empty elsewhere."""
    if connection.vendor != "postgresql":
        return {}
    cursor.execute(
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE k.contype = 'c' AND n.nspname = current_schema()"
    )
    return {(table, name): definition for table, name, definition in cursor.fetchall()}


def differences(built: dict[str, dict], expected: dict[str, dict]) -> list[str]:
    """Each way `built` (e.g. by the migrations) differs from `expected` (from the models), in words."""
    found = []
    for table in sorted(expected.keys() - built.keys()):
        found.append(f"{table}: missing")
    for table in sorted(built.keys() - expected.keys()):
        found.append(f"{table}: not in the models")
    for table in sorted(built.keys() & expected.keys()):
        ours, theirs = built[table], expected[table]
        for column in sorted(theirs["columns"].keys() | ours["columns"].keys()):
            a, b = ours["columns"].get(column), theirs["columns"].get(column)
            if a != b:
                found.append(f"{table}.{column}: {a} instead of {b}")
        for constraint in sorted((ours["constraints"] - theirs["constraints"]).elements(), key=repr):
            found.append(f"{table}: extra constraint or index {constraint}")
        for constraint in sorted((theirs["constraints"] - ours["constraints"]).elements(), key=repr):
            found.append(f"{table}: missing constraint or index {constraint}")
        if ours["rows"] != theirs["rows"]:
            found.append(f"{table}: {ours['rows']} rows instead of {theirs['rows']}")
    return found
