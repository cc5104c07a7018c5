"""The class check's per-child controls as markup, built in Python.

The check page repeats the same controls for every child of a class (three status buttons, the
action list, fifteen findings): as template loops they were about 170 rendered values per child,
most of the page's time. Here the labels are escaped once per page and each child's controls are
joined from those fragments; the markup is the one the template wrote, names and ids included
(c<child pk>-status, c<child pk>-f-<finding>, ...), which the view reads back on POST.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _fragments(choices) -> list[tuple[str, str]]:
    return [(escape(value), escape(label)) for value, label in choices]


def check_controls(rows: list[dict], *, statuses, actions, findings) -> None:
    """Add to each check_screen row `p` (the form prefix, "c<child pk>") and its controls as safe
    markup: `status_html` (radio buttons), `action_html` (the <option>s of the action list) and
    `findings_html` (the findings' toggle buttons)."""
    statuses, actions, findings = _fragments(statuses), _fragments(actions), _fragments(findings)
    for r in rows:
        p = f"c{r['child'].pk}"
        r["p"] = p
        r["status_html"] = _join(
            f'<input type="radio" class="btn-check" name="{p}-status" id="{p}-s-{v}" value="{v}"'
            f'{" checked" if r["status"] == v else ""}><label class="btn btn-outline-secondary" '
            f'for="{p}-s-{v}">{label}</label>' for v, label in statuses)
        r["action_html"] = _join(
            f'<option value="{v}"{" selected" if r["action"] == v else ""}>{label}</option>' for v, label in actions)
        ticked = set(r["findings"] or ()) | set(r["symptoms"] or ())
        r["findings_html"] = _join(
            f'<input type="checkbox" class="btn-check" name="{p}-findings" id="{p}-f-{v}" value="{v}"'
            f'{" checked" if v in ticked else ""}><label class="btn btn-sm btn-outline-danger" '
            f'for="{p}-f-{v}">{label}</label>' for v, label in findings)


def _join(parts) -> SafeString:
    return mark_safe("".join(parts))  # values are choice codes, labels escaped above
