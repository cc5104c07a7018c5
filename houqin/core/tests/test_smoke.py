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


def test_parent_home_lists_their_own_children_only(world, login):
    body = login(world.k1.users["parent"]).get("/k/k1/").content.decode()
    assert world.k1.own_child.name in body and world.sibling.name in body
    others = [c for c in world.k1.children if c.pk not in (world.k1.own_child.pk, world.sibling.pk)]
    assert all(c.name not in body for c in others)


def test_class_teacher_home_lists_their_class(world, login):
    body = login(world.k1.users["class_teacher"]).get("/k/k1/").content.decode()
    assert 'data-testid="my-classes"' in body and world.k1.own_class.name in body
    assert world.k1.other_class.name not in body
