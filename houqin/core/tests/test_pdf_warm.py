"""A web worker loads WeasyPrint and the fonts when it starts (settings.HOUQIN_PDF_WARM)."""

import importlib

import pytest

from houqin.core import pdf


def test_warm_makes_a_pdf_and_says_how_long_it_took(monkeypatch):
    made = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, **kw: made.append(real(html, **kw)) or made[-1])
    seconds = pdf.warm()
    assert seconds > 0 and made and made[0].startswith(b"%PDF")


def test_a_failing_warm_up_is_logged_not_raised(monkeypatch, caplog):
    def broken(html, **kw):
        raise OSError("no fonts")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    assert pdf.warm() >= 0
    assert "could not warm WeasyPrint" in caplog.text


@pytest.mark.parametrize("on", [True, False])
def test_the_wsgi_module_warms_each_worker_when_the_setting_says_so(monkeypatch, settings, on):
    calls = []
    monkeypatch.setattr(pdf, "warm", lambda: calls.append(1) or 0.0)
    settings.HOUQIN_PDF_WARM = on
    import config.wsgi  # the first import in this process warms too

    calls.clear()
    importlib.reload(config.wsgi)  # as a new worker imports it
    assert calls == ([1] if on else [])
