"""The JSON API: same policy and services as the pages."""

import pytest
from django.test import Client

from houqin.core.tokens import api_token_create
from houqin.org.models import Child, Role

pytestmark = pytest.mark.django_db


def test_create_child_through_the_api(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    response = client.post("/api/k/k1/children", {
        "name": "陈一一", "sex": "M", "birth_date": "2022-04-01", "class_code": str(world.k1.own_class.code),
        "enrolled_on": "2026-09-01",
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "陈一一" and body["class_name"] == world.k1.own_class.name
    assert Child.objects.filter(code=body["code"], kindergarten=world.k1.kg).exists()


def test_bad_input_gets_422_with_field_errors_and_saves_nothing(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    before = Child.objects.count()
    response = client.post("/api/k/k1/children", {
        "name": "未来", "sex": "M", "birth_date": "2099-01-01", "class_code": str(world.k1.own_class.code),
    }, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "birth_date"
    assert Child.objects.count() == before
    response = client.post("/api/k/k1/children", {"name": "x"}, content_type="application/json")
    assert response.status_code == 422


def test_class_of_another_kindergarten_is_404(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    response = client.post("/api/k/k1/children", {
        "name": "陈一一", "sex": "M", "birth_date": "2022-04-01", "class_code": str(world.k2.own_class.code),
    }, content_type="application/json")
    assert response.status_code == 404


def test_mass_assignment_of_kindergarten_is_ignored(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    child = world.k1.own_child
    response = client.patch(f"/api/k/k1/children/{child.code}",
                            {"notes": "ok", "kindergarten": world.k2.kg.pk, "kindergarten_id": world.k2.kg.pk},
                            content_type="application/json")
    assert response.status_code == 200
    child.refresh_from_db()
    assert child.kindergarten == world.k1.kg and child.notes == "ok"


def test_token_acts_only_in_its_own_kindergarten(world):
    user = world.k1.users[Role.HEALTH_TEACHER]
    _token, raw = api_token_create(user=user, kindergarten=world.k1.kg, name="晨检机")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/k/k1/children").status_code == 200
    # give the same user a role in k2: the token still does not reach it
    from houqin.org.models import Membership

    Membership.objects.create(user=user, kindergarten=world.k2.kg, role=Role.HEALTH_TEACHER)
    assert client.get("/api/k/k2/children").status_code == 404
    assert Client(HTTP_AUTHORIZATION="Bearer hq_wrong").get("/api/k/k1/children").status_code == 401


def test_openapi_schema_lists_the_endpoints(world, login):
    schema = login(world.k1.users[Role.PRINCIPAL]).get("/api/openapi.json").json()
    assert "/api/k/{kg}/children" in schema["paths"]
    assert "post" in schema["paths"]["/api/k/{kg}/children"]


def test_me_lists_destinations(world, login):
    body = login(world.k1.users[Role.PARENT]).get("/api/me").json()
    assert [d["url"] for d in body["destinations"]] == ["/k/k1/"]
