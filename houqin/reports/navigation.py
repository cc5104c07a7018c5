"""Menu entries of the reports area (imported from AppConfig.ready); the figure providers of the
storeroom, assets and money live in houqin.reports.figures."""

from django.utils.translation import gettext_lazy

from houqin.core.registry import NavItem, register_nav
from houqin.reports import figures  # noqa: F401  (registers the figure providers)

register_nav(NavItem(gettext_lazy("Parents' corner"), "reports:family", "reports.family.view", icon="heart", order=5))
register_nav(NavItem(gettext_lazy("Semester summary"), "reports:term_list", "reports.summary.view", icon="journal-richtext", order=95))
