"""Helpers of the safety tests: actors of the standard world and small images."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from houqin import policy


def actor_of(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def png(name="photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_safety(world, k="k1"):
    """A small set of safety records in kindergarten `k`: a zone owned by the class teacher, a
    weekly template inspected by the guard, a hazard in each state, fire equipment, a drill, a
    visitor inside, a delegation, a duty shift, an incident and a weekly report."""
    from types import SimpleNamespace

    from houqin.org.models import Role
    from houqin.safety import services
    from houqin.safety.models import Frequency

    ns = getattr(world, k)
    director, guard = actor_of(world, Role.DIRECTOR, k), actor_of(world, Role.GUARD, k)
    principal = actor_of(world, Role.PRINCIPAL, k)
    teacher = actor_of(world, Role.CLASS_TEACHER, k)
    zone = services.zone_save(actor=director, name="小一班教室", kind="classroom", post="班主任",
                              owner=ns.users[Role.CLASS_TEACHER], school_class=ns.own_class,
                              checklist=["门窗完好", "插座有保护盖"])
    template = services.template_save(actor=director, name="大型玩具周检", category="large_toys",
                                      frequency=Frequency.WEEKLY, items=["滑梯螺丝", "秋千链条"],
                                      inspector=ns.users[Role.GUARD])
    reported = services.report_hazard(actor=teacher, location="走廊", description="地面湿滑")
    assigned = services.report_hazard(actor=teacher, location="楼梯", description="扶手松动")
    services.hazard_assign(actor=director, hazard=assigned, assignee=ns.users[Role.GUARD], deadline=days(2))
    rectified = services.report_hazard(actor=guard, location="大门", description="门禁故障")
    services.hazard_assign(actor=director, hazard=rectified, assignee=ns.users[Role.GUARD], deadline=days(2))
    services.hazard_rectify(actor=guard, hazard=rectified, rectification="已维修", photo=png())
    closed = services.report_hazard(actor=guard, location="操场", description="沙池有玻璃", photo=png())
    services.hazard_assign(actor=director, hazard=closed, assignee=ns.users[Role.GUARD], deadline=days(1))
    services.hazard_rectify(actor=guard, hazard=closed, rectification="已清理", photo=png())
    services.hazard_verify(actor=director, hazard=closed, accept=True)
    equipment = services.equipment_save(actor=director, kind="extinguisher", label=f"MHQ-{k}-01",
                                        location="一楼走廊", model_type="ABC干粉 4kg",
                                        last_inspected_on=days(-300))
    drill = services.drill_plan(actor=director, kind="fire", planned_on=days(-1))
    services.drill_record(actor=director, drill=drill, held_at=timezone.now() - dt.timedelta(hours=20),
                          classes=ns.classes, children_count=50, staff_count=8, evacuation_seconds=130,
                          summary="疏散有序")
    visitor = services.visitor_arrive(actor=guard, name="李维修", reason="维修空调", host="后勤主任",
                                      id_number="11010519491231002X", organisation="空调公司")
    delegation = services.delegation_request(actor=teacher, child=ns.own_child, date=days(0),
                                             delegate_name="王阿姨", relation="邻居", phone="13912345678")
    shift = services.duty_assign(actor=director, date=days(0), slot="morning_peak", person=ns.users[Role.GUARD])
    incident = services.incident_report(actor=teacher, kind="injury", occurred_at=timezone.now(),
                                        location="操场", description="摔倒擦伤膝盖", child=ns.own_child)
    report = services.report_create(actor=director, period="week", day=days(-7))
    agreement = services.agreement_create(actor=principal, year=days(0).year, post="保安",
                                          holder=ns.users[Role.GUARD], duties="负责门卫安全")
    rnd = services.round_record(actor=guard, template=template,
                                results=[{"item": "滑梯螺丝", "passed": True}, {"item": "秋千链条", "passed": True}])
    return SimpleNamespace(zone=zone, template=template, reported=reported, assigned=assigned, rectified=rectified,
                           closed=closed, equipment=equipment, drill=drill, visitor=visitor, delegation=delegation,
                           shift=shift, incident=incident, report=report, agreement=agreement, round=rnd)
