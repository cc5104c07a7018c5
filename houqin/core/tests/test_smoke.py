import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_shows_the_kindergarten_to_its_principal(world, login):
    response = login(world.k1.users["principal"]).get("/k/k1/")
    assert response.status_code == 200
    assert "阳光幼儿园" in response.content.decode()


def test_home_of_another_kindergarten_is_not_found(world, login):
    response = login(world.k1.users["principal"]).get("/k/k2/")
    assert response.status_code == 404
