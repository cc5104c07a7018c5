"""The benchmark commands run only on an empty, throwaway database (core.management.bench)."""

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from houqin.core.management.bench import BenchCommand, require_throwaway_database
from houqin.testing import KindergartenFactory


def _bench_commands():
    from django.core.management import load_command_class

    return {name: load_command_class(app, name) for name, app in get_commands().items() if name.startswith("bench_")}


def test_every_bench_command_has_the_guard():
    commands = _bench_commands()
    assert commands, "no bench_ commands found"
    assert all(isinstance(c, BenchCommand) for c in commands.values()), commands


@pytest.mark.django_db
def test_an_empty_database_is_a_throwaway_one_and_one_with_data_is_refused():
    require_throwaway_database()  # nothing in it: allowed
    KindergartenFactory()
    with pytest.raises(CommandError, match="throwaway"):
        require_throwaway_database()
    with pytest.raises(CommandError, match="kindergartens"):
        call_command("bench_staff")
