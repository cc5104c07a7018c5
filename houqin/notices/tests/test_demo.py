"""The demo's outbox: messages for the published notices, this morning's fever alert to the health
teacher (unread, its e-mail waiting for a retry), a failed e-mail, and two weeks of job runs."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_demo_has_an_outbox_and_job_runs(demo_built):
    from houqin.core.registry import todos_for
    from houqin.notices.models import Delivery, JobRun, Message
    from houqin.org.models import Kindergarten
    from houqin.policy import actor_for_kindergarten

    kg = Kindergarten.objects.get(slug="demo")
    statuses = set(Delivery.objects.filter(message__kindergarten=kg).values_list("status", flat=True))
    assert statuses == {"queued", "sent", "failed", "read"}
    nurse = get_user_model().objects.get(username="health")
    alert = Message.objects.get(kindergarten=kg, recipient=nurse, kind="alert")
    assert alert.urgent and alert.read_at is None
    assert Delivery.objects.get(message=alert, channel="email").status == "queued"
    todos = todos_for(actor_for_kindergarten(nurse, kg))
    assert any(t.area == "notices" and t.urgency == 3 and "/messages/" in t.url for t in todos)
    runs = JobRun.objects.filter(kindergarten=kg)
    assert {"morning_check", "hazards", "certificates"} <= set(runs.values_list("job", flat=True))
    assert runs.filter(job="morning_check").count() >= 5
    assert not runs.filter(started_at__date__gte=timezone.localdate()).exists()  # today's are the worker's
    assert Message.objects.filter(kindergarten=kg, kind="notice", read_at__isnull=False,
                                  recipient__username="parent").exists()
