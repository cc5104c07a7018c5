import pytest

from houqin import policy
from houqin.org.models import Role


@pytest.fixture
def aw(world):
    """The assets of the standard world (see factories.build_assets)."""
    from houqin.assets.tests.factories import build_assets

    return build_assets(world)


@pytest.fixture
def actor(world):
    """`actor(role)` → the policy Actor of that k1 member (`actor(role, "k2")` in k2)."""

    def _actor(role, where="k1"):
        ns = getattr(world, where)
        return policy.actor_for_kindergarten(ns.users[Role(role)], ns.kg)

    return _actor
