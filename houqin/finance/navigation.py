"""Menu entries and to-do providers of this area (imported from AppConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from houqin.core.registry import NavItem, Todo, register_nav, register_todos

register_nav(NavItem(_("Purchase requests"), "finance:purchase_list", "finance.purchase.view", icon="⊕", order=50))
register_nav(NavItem(_("Repairs"), "finance:repair_list", "finance.repair.view", icon="⚒", order=51))
register_nav(NavItem(_("Expenses"), "finance:expense_list", "finance.expense.view", icon="¥", order=52))
register_nav(NavItem(_("Budgets"), "finance:budget_list", "finance.budget.view", icon="▤", order=53))
register_nav(NavItem(_("Monthly report"), "finance:report", "finance.report.view", icon="▧", order=54))
register_nav(NavItem(_("Fee standards"), "finance:fee_list", "finance.fees.view", icon="☰", order=55))


@register_todos
def finance_todos(actor) -> list[Todo]:
    """Requests waiting for the actor's approval; expenses waiting for the actor's signature or payment.
    At most three grouped queries, whatever the number of records."""
    if actor.kindergarten is None or not (
        actor.has("finance.purchase.approve") or actor.has("finance.repair.approve") or actor.has("finance.expense.view")
    ):
        return []
    from houqin.finance.selectors import waiting_for

    counts = waiting_for(actor)
    slug = actor.kindergarten.slug

    def url(name, status=""):
        base = reverse(name, kwargs={"kg": slug})
        return f"{base}?status={status}" if status else base

    todos = []
    specs = [
        ("purchase", _("%(n)d purchase requests wait for your approval"), "finance:purchase_list", "awaiting", 2),
        ("repair", _("%(n)d repair requests wait for your approval"), "finance:repair_list", "awaiting", 2),
        ("expense_handler", _("%(n)d expenses wait for your signature as handler"), "finance:expense_list", "signing", 2),
        ("expense_acceptor", _("%(n)d expenses wait for an acceptor's signature"), "finance:expense_list", "signing", 2),
        ("expense_principal", _("%(n)d expenses wait for the principal's signature"), "finance:expense_list", "signing", 2),
        ("expense_pay", _("%(n)d signed expenses wait for payment"), "finance:expense_list", "to_pay", 2),
    ]
    for key, title, name, status, urgency in specs:
        n = counts.get(key) or 0
        if n:
            todos.append(Todo(title=str(title) % {"n": n}, url=url(name, status), urgency=urgency,
                              area="finance"))
    return todos
