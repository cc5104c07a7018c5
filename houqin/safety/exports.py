"""Printed and exported safety documents: the weekly / monthly report to the bureau (PDF, .xlsx) and
the sheet of QR codes that open the hazard report form of each zone."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.pdf import qr_svg_data_uri, render_pdf
from houqin.core.spreadsheets import XlsxWriter

ROWS = [
    ("inspections", gettext_lazy("Inspection rounds done")),
    ("self_checks", gettext_lazy("Daily zone self-checks")),
    ("fire_checks", gettext_lazy("Fire equipment self-checks")),
    ("hazards_found", gettext_lazy("Hazards found")),
    ("hazards_closed", gettext_lazy("Hazards rectified and closed")),
    ("hazards_overdue", gettext_lazy("Hazards overdue")),
    ("hazards_open", gettext_lazy("Hazards still open at the end of the period")),
    ("fire_overdue", gettext_lazy("Fire equipment overdue")),
    ("drills", gettext_lazy("Drills held")),
    ("incidents", gettext_lazy("Incidents")),
    ("visitors", gettext_lazy("Visitors registered")),
    ("injuries", gettext_lazy("Injuries of children told to parents")),
]
# Rows added after reports were first signed: a report frozen without the figure does not show it (it
# did not state it), rather than a 0 it never said.
LATER_ROWS = {"injuries"}


def report_rows(figures: dict) -> list[dict]:
    return [{"key": key, "label": str(label), "value": figures.get(key, 0)} for key, label in ROWS
            if key in figures or key not in LATER_ROWS]


def duration(seconds) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(seconds), 60)
    return _("%(m)d min %(s)d s") % {"m": minutes, "s": rest} if minutes else _("%(s)d s") % {"s": rest}


def _drills(figures: dict) -> list[dict]:
    return [{**d, "duration": duration(d.get("seconds"))} for d in figures.get("drill_list", [])]


def report_pdf(report, figures: dict) -> bytes:
    return render_pdf("safety/report_pdf.html", {
        "report": report, "kindergarten": report.kindergarten, "rows": report_rows(figures), "drills": _drills(figures),
    })


def report_xlsx(report, figures: dict) -> bytes:
    writer = XlsxWriter()
    ws = writer.sheet(_("Safety report"), widths=[36, 26])
    ws.row([f"{report.kindergarten.name} · {report.get_period_display()} {_('safety report')}"], bold=True)
    ws.row([_("Period"), f"{report.start.isoformat()} – {report.end.isoformat()}"])
    ws.row([_("Signed by"), report.signed_by.display_name if report.signed_by else _("Not signed yet"),
            report.signed_at.isoformat() if report.signed_at else ""])
    ws.row([])
    ws.header([_("Item"), _("Count")])
    for row in report_rows(figures):
        ws.row([row["label"], row["value"]])
    ws.row([])
    ws.header([_("Drill"), _("Date"), _("Classes"), _("Children"), _("Staff"), _("Evacuation time (seconds)")])
    for d in figures.get("drill_list", []):
        ws.row([d["kind_label"], d["date"], d["classes"], d["children"], d["staff"], d["seconds"]])
    if report.remarks:
        ws.row([])
        ws.row([_("Remarks"), report.remarks])
    return writer.content()


def qr_sheet_pdf(kindergarten, entries: list[tuple[str, str, str]]) -> bytes:
    """One QR code per zone (name, post, address of the report form), six to an A4 page."""
    labels = [{"name": name, "post": post, "url": url, "qr": qr_svg_data_uri(url)}
              for name, post, url in entries]
    return render_pdf("safety/qr_sheet.html", {"kindergarten": kindergarten, "labels": labels})
