"""The organisation's menu entries and to-dos."""

from django.utils.translation import gettext_lazy as _

from houqin.core.registry import NavItem, register_nav

register_nav(NavItem(_("Home"), "home", "home.view", icon="⌂", order=0))
register_nav(NavItem(_("Classes"), "org:class_list", "org.class.view", icon="▦", order=10))
register_nav(NavItem(_("Children"), "org:child_list", "org.child.view", icon="☺", order=11))
register_nav(NavItem(_("Staff"), "org:staff_list", "org.staff.view", icon="☷", order=90))
register_nav(NavItem(_("Rosters"), "org:roster", "org.roster.import", icon="⇅", order=91))
register_nav(NavItem(_("Audit log"), "org:audit_log", "core.audit.view", icon="✎", order=99))
