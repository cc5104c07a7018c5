"""The hazard closed loop: reported → assigned → rectified → re-checked by someone else → closed or
reopened; bad input changes nothing; a hazard that needs a repair becomes a repair request."""

import pytest

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.org.models import Role
from houqin.safety import services
from houqin.safety.models import Hazard, HazardState, Severity, Zone
from houqin.safety.tests.conftest import actor_of, days, png

pytestmark = pytest.mark.django_db


def test_report_hazard_contract_for_other_areas(world):
    canteen = actor_of(world, Role.CANTEEN)
    hazard = services.report_hazard(actor=canteen, location="厨房", description="消毒柜门关不严",
                                    severity="high", source="foodsafety.hygiene:abc")
    assert hazard.state == HazardState.REPORTED
    assert hazard.source == "foodsafety.hygiene:abc"
    assert hazard.number.startswith("YH-") and hazard.created_by == world.k1.users[Role.CANTEEN]
    # default severity, optional photo and zone
    zone = Zone.objects.create(kindergarten=world.k1.kg, name="大型玩具区", post="保安", checklist=["a"],
                               campus=world.k1.campuses[0])
    second = services.report_hazard(actor=canteen, location="", description="滑梯螺丝松动", zone=zone, photo=png())
    assert second.severity == Severity.NORMAL and second.location == "大型玩具区"
    assert second.campus == world.k1.campuses[0] and second.photo.name.endswith(".png")
    assert second.number != hazard.number


def test_report_hazard_refuses_bad_input_and_saves_nothing(world):
    teacher = actor_of(world, Role.CLASS_TEACHER)
    with pytest.raises(DomainError):
        services.report_hazard(actor=teacher, location="", description="")
    with pytest.raises(DomainError):
        services.report_hazard(actor=teacher, location="a", description="b", severity="apocalyptic")
    with pytest.raises(DomainError) as exc:
        services.report_hazard(actor=teacher, location="a", description="b", photo=b"not an image at all")
    assert "JPEG" in str(exc.value.message)
    assert Hazard.objects.count() == 0
    with pytest.raises(Forbidden):
        services.report_hazard(actor=actor_of(world, Role.PARENT), location="a", description="b")


def _loop_to_rectified(world):
    director, guard = actor_of(world, Role.DIRECTOR), actor_of(world, Role.GUARD)
    hazard = services.report_hazard(actor=actor_of(world, Role.CLASS_TEACHER), location="二楼楼梯",
                                    description="扶手松动", photo=png())
    services.hazard_assign(actor=director, hazard=hazard, assignee=world.k1.users[Role.GUARD], deadline=days(3))
    services.hazard_rectify(actor=guard, hazard=hazard, rectification="重新固定扶手", photo=png())
    hazard.refresh_from_db()
    return hazard, director, guard


def test_the_closed_loop(world):
    hazard, director, guard = _loop_to_rectified(world)
    assert hazard.state == HazardState.RECTIFIED and hazard.rectified_by == world.k1.users[Role.GUARD]
    # the rectifier cannot close it
    with pytest.raises(Forbidden):
        services.hazard_verify(actor=guard, hazard=hazard, accept=True)
    hazard.refresh_from_db()
    assert hazard.state == HazardState.RECTIFIED
    # someone else reopens it, the assignee fixes it again, the director closes it
    services.hazard_verify(actor=actor_of(world, Role.HEALTH_TEACHER), hazard=hazard, accept=False,
                           note="仍有晃动", deadline=days(2))
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ASSIGNED and hazard.reopen_count == 1 and hazard.deadline == days(2)
    services.hazard_rectify(actor=guard, hazard=hazard, rectification="更换螺栓", photo=png())
    services.hazard_verify(actor=director, hazard=hazard, accept=True, note="已牢固")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED and hazard.checked_by == world.k1.users[Role.DIRECTOR]
    assert hazard.history.count() >= 6


def test_assign_refuses_a_past_deadline_and_a_parent(world):
    director = actor_of(world, Role.DIRECTOR)
    hazard = services.report_hazard(actor=director, location="门口", description="门禁故障")
    with pytest.raises(DomainError) as exc:
        services.hazard_assign(actor=director, hazard=hazard, assignee=world.k1.users[Role.GUARD], deadline=days(-1))
    assert exc.value.errors[0]["field"] == "deadline"
    with pytest.raises(DomainError):
        services.hazard_assign(actor=director, hazard=hazard, assignee=world.k1.users[Role.PARENT], deadline=days(1))
    with pytest.raises(DomainError):  # staff of another kindergarten
        services.hazard_assign(actor=director, hazard=hazard, assignee=world.k2.users[Role.GUARD], deadline=days(1))
    hazard.refresh_from_db()
    assert hazard.state == HazardState.REPORTED and hazard.assignee is None
    with pytest.raises(Forbidden):
        services.hazard_assign(actor=actor_of(world, Role.GUARD), hazard=hazard,
                               assignee=world.k1.users[Role.GUARD], deadline=days(1))


def test_only_the_assignee_rectifies_and_a_photo_is_needed(world):
    director = actor_of(world, Role.DIRECTOR)
    hazard = services.report_hazard(actor=director, location="门口", description="门禁故障")
    services.hazard_assign(actor=director, hazard=hazard, assignee=world.k1.users[Role.GUARD], deadline=days(1))
    with pytest.raises(Forbidden):
        services.hazard_rectify(actor=actor_of(world, Role.CANTEEN), hazard=hazard, rectification="x", photo=png())
    with pytest.raises(DomainError):
        services.hazard_rectify(actor=actor_of(world, Role.GUARD), hazard=hazard, rectification="修好了")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ASSIGNED and not hazard.rectification


def test_other_kindergartens_hazards_are_not_found(world):
    hazard = services.report_hazard(actor=actor_of(world, Role.DIRECTOR, "k2"), location="a", description="b")
    from django.http import Http404

    with pytest.raises(Http404):
        services.hazard_assign(actor=actor_of(world, Role.DIRECTOR), hazard=hazard,
                               assignee=world.k1.users[Role.GUARD], deadline=days(1))


def test_a_hazard_that_needs_a_repair_becomes_a_repair_request(world):
    from houqin.finance.models import RepairRequest, RequestStatus

    from houqin.finance import services as finance_services

    finance_services.categories_create_defaults(actor=actor_of(world, Role.ACCOUNTANT))
    director = actor_of(world, Role.DIRECTOR)
    hazard = services.report_hazard(actor=actor_of(world, Role.GUARD), location="围墙", description="监控摄像头损坏",
                                    photo=png())
    services.hazard_to_repair(actor=director, hazard=hazard, estimated_cost="350.00")
    hazard.refresh_from_db()
    request = RepairRequest.objects.get()
    assert hazard.repair_request == request
    assert request.status in (RequestStatus.SUBMITTED, RequestStatus.APPROVED, RequestStatus.DIRECTOR_APPROVED)
    assert hazard.number in request.reason and request.location == "围墙"
    assert str(request.estimated_cost) == "350.00"
    assert hazard.photo  # the photos stay on the hazard, which the request names
    with pytest.raises(Conflict):
        services.hazard_to_repair(actor=director, hazard=hazard)
    assert RepairRequest.objects.count() == 1
