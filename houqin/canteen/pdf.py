"""A4 PDFs of the canteen (WeasyPrint, Chinese fonts): a week's menu with its nutrition summary,
and a month's meal account."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from houqin.canteen import selectors
from houqin.canteen.rules import rules_for
from houqin.core.pdf import render_pdf


def menu_pdf(menu) -> bytes:
    settings = selectors.settings_for(menu.kindergarten)
    entries = selectors.menu_entries(menu)
    return render_pdf("canteen/menu_pdf.html", {
        "menu": menu, "kindergarten": menu.kindergarten, "grid": selectors.menu_grid(menu, entries, settings.meal_list),
        "dates": [menu.week_start + dt.timedelta(days=d) for d in range(menu.days)],
        "analysis": selectors.menu_analysis(menu, entries=entries, settings=settings) if entries else None,
        "made_on": timezone.localdate(),
    })


def account_pdf(account, actor) -> bytes:
    from houqin.stock.models import Category

    labels = dict(Category.choices)
    return render_pdf("canteen/account_pdf.html", {
        "account": account, "kindergarten": account.kindergarten,
        "categories": [(labels.get(k, k), v) for k, v in account.by_category.items()],
        "limit": rules_for(account.kindergarten).figure("account.balance_limit_pct"), "made_on": timezone.localdate(),
    })
