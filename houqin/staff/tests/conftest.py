"""The logistics staff of the standard world: posts with items, topics, assignments in k1 (and k2)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from houqin import policy
from houqin.org.models import Role
from houqin.staff import services
from houqin.staff.models import TrainingCategory


def actor_of(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def today() -> dt.date:
    return timezone.localdate()


def this_month() -> dt.date:
    return today().replace(day=1)


def make_staff(world, k="k1"):
    """Posts 保育员 and 厨师 with items (one linked to a training topic, one to a finding kind), the
    nursery staff on 保育员 and the canteen staff on 厨师 since the start of the term."""
    ns = getattr(world, k)
    director = actor_of(world, Role.DIRECTOR, k)
    nursery_post = services.post_save(actor=director, name="保育员", sort_order=1)
    cook_post = services.post_save(actor=director, name="厨师", sort_order=2, base_bonus="800")
    disinfect = services.topic_save(actor=director, name="餐前消毒流程", category=TrainingCategory.NURSERY)
    six_t = services.topic_save(actor=director, name="六T管理", category=TrainingCategory.FOOD_SAFETY)
    item_disinfect = services.item_save(actor=director, post=nursery_post, name="餐前桌面未消毒", points="2",
                                        topic=disinfect)
    item_tidy = services.item_save(actor=director, post=nursery_post, name="物品摆放不整齐", points="1")
    item_sample = services.item_save(actor=director, post=cook_post, name="留样不规范", points="3", topic=six_t)
    start = dt.date(2026, 9, 1)
    services.assign(actor=director, user=ns.users[Role.NURSERY], post=nursery_post, started_on=start)
    services.assign(actor=director, user=ns.users[Role.CANTEEN], post=cook_post, started_on=start)
    return SimpleNamespace(director=director, nursery_post=nursery_post, cook_post=cook_post, disinfect=disinfect,
                           six_t=six_t, item_disinfect=item_disinfect, item_tidy=item_tidy, item_sample=item_sample,
                           nursery=ns.users[Role.NURSERY], cook=ns.users[Role.CANTEEN], kg=ns.kg)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def staff(world):
    return make_staff(world)


@pytest.fixture
def director(world):
    return actor_of(world, Role.DIRECTOR)


D = Decimal
