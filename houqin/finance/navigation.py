"""Menu entries and to-do providers of this area (imported from AppConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from houqin.core.registry import NavItem, Todo, register_nav, register_todos

register_nav(NavItem(_("Purchase requests"), "finance:purchase_list", "finance.purchase.view", icon="cart-plus", order=50))
register_nav(NavItem(_("Repairs"), "finance:repair_list", "finance.repair.view", icon="tools", order=51))
register_nav(NavItem(_("Expenses"), "finance:expense_list", "finance.expense.view", icon="currency-yen", order=52))
register_nav(NavItem(_("Budgets"), "finance:budget_list", "finance.budget.view", icon="wallet2", order=53))
register_nav(NavItem(_("Monthly report"), "finance:report", "finance.report.view", icon="file-earmark-bar-graph", order=54))
register_nav(NavItem(_("Fee standards"), "finance:fee_list", "finance.fees.view", icon="list-ul", order=55))
register_nav(NavItem(_("Energy and water"), "finance:meter_list", "finance.utilities.view", icon="lightning-charge",
                     order=56))
register_nav(NavItem(_("Fee bills"), "finance:bill_list", "finance.bill.view", icon="receipt", order=57))


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

    titles = {
        "purchase": lambda n: ngettext("%(n)d purchase request waits for your approval",
                                       "%(n)d purchase requests wait for your approval", n),
        "repair": lambda n: ngettext("%(n)d repair request waits for your approval",
                                     "%(n)d repair requests wait for your approval", n),
        "expense_handler": lambda n: ngettext("%(n)d expense waits for your signature as handler",
                                              "%(n)d expenses wait for your signature as handler", n),
        "expense_acceptor": lambda n: ngettext("%(n)d expense waits for an acceptor's signature",
                                               "%(n)d expenses wait for an acceptor's signature", n),
        "expense_principal": lambda n: ngettext("%(n)d expense waits for the principal's signature",
                                                "%(n)d expenses wait for the principal's signature", n),
        "expense_pay": lambda n: ngettext("%(n)d signed expense waits for payment",
                                          "%(n)d signed expenses wait for payment", n),
    }
    targets = {"purchase": ("finance:purchase_list", "awaiting"), "repair": ("finance:repair_list", "awaiting"),
               "expense_pay": ("finance:expense_list", "to_pay")}
    todos = []
    for key, title in titles.items():
        n = counts.get(key) or 0
        if n:
            name, status = targets.get(key, ("finance:expense_list", "signing"))
            todos.append(Todo(title=title(n) % {"n": n}, url=url(name, status), urgency=2, area="finance"))
    return todos


register_nav(NavItem(_("Big events"), "finance:event_list", "finance.event.view", icon="flag", order=58))
