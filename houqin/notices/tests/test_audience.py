"""A notice's audience decides who reads it, staff included (issue 12, leak 1): a notice to one child
or class is not open to all staff, drafts are for their author and the publishers, and notices
carrying health data (vaccination reminders, disease notices) follow the health capability."""

import pytest

from houqin import policy
from houqin.notices import selectors
from houqin.notices.models import Audience, NoticeKind
from houqin.notices.services import publish_notice
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def _notices(world):
    k1 = world.k1
    principal, health, teacher = (k1.users[r] for r in (Role.PRINCIPAL, Role.HEALTH_TEACHER, Role.CLASS_TEACHER))
    other_class_child = next(c for c in k1.children if c.school_class_id == k1.classes[2].pk)

    def notice(key, user, **kwargs):
        return key, publish_notice(kindergarten=k1.kg, user=user, title=key, body="x", **kwargs)

    return dict([
        notice("all", principal),
        notice("disease_own", health, kind=NoticeKind.DISEASE, classes=[k1.own_class]),
        notice("disease_all", health, kind=NoticeKind.DISEASE),
        notice("class_other", principal, classes=[k1.classes[2]]),
        notice("vacc_own", health, kind=NoticeKind.VACCINATION, children=[k1.own_child]),
        notice("vacc_other", health, kind=NoticeKind.VACCINATION, children=[other_class_child]),
        notice("staff", principal, audience=Audience.STAFF, kind=NoticeKind.STAFF),
        notice("draft_principal", principal, publish=False),
        notice("draft_class", principal, classes=[k1.own_class], publish=False),
        notice("draft_teacher", teacher, classes=[k1.own_class], publish=False),
    ])


EVERYTHING = {"all", "disease_own", "disease_all", "class_other", "vacc_own", "vacc_other", "staff",
              "draft_principal", "draft_class", "draft_teacher"}
EXPECTED = {
    Role.PRINCIPAL: EVERYTHING,
    Role.HEALTH_TEACHER: EVERYTHING,
    # The director publishes and reaches every class, but holds no health capability.
    Role.DIRECTOR: {"all", "class_other", "staff", "draft_principal", "draft_class", "draft_teacher"},
    Role.CANTEEN: {"all", "staff"},
    Role.STOREKEEPER: {"all", "staff"},
    Role.ACCOUNTANT: {"all", "staff"},
    Role.GUARD: {"all", "staff"},
    # Class staff: their class; the class teacher reads her class's health notices (health.*.view C),
    # the nursery staff hold no health capability.
    Role.CLASS_TEACHER: {"all", "disease_own", "disease_all", "vacc_own", "staff", "draft_class", "draft_teacher"},
    Role.NURSERY: {"all", "staff"},
    Role.PARENT: {"all", "disease_own", "disease_all", "vacc_own"},
}


@pytest.mark.parametrize("role", list(EXPECTED), ids=[r.value for r in EXPECTED])
def test_each_role_reads_the_notices_addressed_to_it(world, login, role):
    _notices(world)
    user = world.k1.users[role]
    actor = policy.actor_for_kindergarten(user, world.k1.kg)
    titles = set(selectors.notice_list(actor=actor, include_drafts=actor.has("notices.publish"),
                                       include_voided=actor.has("notices.void")).values_list("title", flat=True))
    assert titles == EXPECTED[role]
    # The page and the API list say the same.
    client = login(user)
    assert {n["title"] for n in client.get("/api/k/k1/notices").json()} == EXPECTED[role]
    page = client.get("/k/k1/notices/").content.decode()
    assert {t for t in EVERYTHING if f">{t}<" in page} == EXPECTED[role]


@pytest.mark.parametrize("role", list(EXPECTED), ids=[r.value for r in EXPECTED])
def test_opening_a_notice_not_addressed_to_one_is_404(world, login, role):
    notices = _notices(world)
    client = login(world.k1.users[role])
    for key, notice in notices.items():
        expected = 200 if key in EXPECTED[role] else 404
        assert client.get(f"/k/k1/notices/{notice.code}/").status_code == expected, key
        assert client.get(f"/api/k/k1/notices/{notice.code}").status_code == expected, key


def test_a_vaccination_reminder_naming_a_child_is_not_read_by_the_guard(world, login):
    """The finding: the guard read '…尚未接种：脊灰灭活疫苗第2剂…' of a child of another class."""
    notice = publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.HEALTH_TEACHER],
                            kind=NoticeKind.VACCINATION, title="接种提醒",
                            body="梁博一尚未接种：脊灰灭活疫苗第2剂", children=[world.k1.own_child])
    for role in (Role.GUARD, Role.CANTEEN, Role.STOREKEEPER, Role.ACCOUNTANT, Role.NURSERY, Role.DIRECTOR):
        client = login(world.k1.users[role])
        assert "脊灰" not in client.get("/api/k/k1/notices").content.decode()
        assert "脊灰" not in client.get("/k/k1/notices/").content.decode()
        assert client.get(f"/k/k1/notices/{notice.code}/").status_code == 404
