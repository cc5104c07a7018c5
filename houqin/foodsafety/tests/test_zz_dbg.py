import pytest
from houqin.org.models import Role
from django.utils import timezone
pytestmark = pytest.mark.django_db
def test_dbg(world, login):
    from houqin.foodsafety.tests.conftest import certify
    from houqin.stock.tests.conftest import make_store
    store = make_store(world); certify(world, store)
    c = login(world.k1.users[Role.CANTEEN])
    today = timezone.localdate().isoformat()
    data = {"supplier": store.supplier.pk, "warehouse": store.food.pk, "received_on": today,
            "lines-TOTAL_FORMS": 3, "lines-INITIAL_FORMS": 0, "lines-0-item": store.rice.pk, "lines-0-quantity": "50",
            "lines-0-unit_price": "2.6", "lines-0-production_date": today, "lines-0-shelf_life_days": "180",
            "lines-0-look_ok": "on", "lines-0-touch_ok": "on", "lines-0-smell_ok": "on", "lines-0-accepted": "1",
            "lines-1-look_ok": "on", "lines-1-touch_ok": "on", "lines-1-smell_ok": "on", "lines-1-accepted": "1",
            "lines-2-look_ok": "on", "lines-2-touch_ok": "on", "lines-2-smell_ok": "on", "lines-2-accepted": "1"}
    r = c.post("/k/k1/foodsafety/receiving/new/", data)
    if r.status_code != 302:
        import re; print(re.findall(r'(invalid-feedback[^<]*<|alert-danger[^<]*<[^<]*)', r.content.decode())[:10])
    assert r.status_code == 302
