import pytest
from houqin.canteen import services
from houqin.canteen.pdf import menu_pdf
from houqin.canteen.tests.conftest import make_menu
@pytest.mark.django_db
def test_x(world, health, dishes):
    m = make_menu(health, dishes); services.menu_publish(actor=health, menu=m)
    open("/tmp/canteen-menu.pdf", "wb").write(menu_pdf(m))
