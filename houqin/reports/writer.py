"""Writing the semester summary: the term's figures become sentences, the way the seeds read.

One plain function, `compose(...)`, over the figures (snapshots, see draft.snapshot), the previous
term's figures and the rules in force: each section moves from what was done (做法) to what it
achieved (成效: figures in sentences, with their measure words, compared with the rule and with the
previous term) to what is still wrong (反思); the problems section is what the problem finder
found. The words are in data/summary_phrases.json (zh-hans first, English in the same structure);
this module only decides which phrases a section uses.

Every number is a token [[key]] that renders as a link to its records. Numbers the writer derives
(a rectification rate, a change since last term) are added to the figures as `calc.*` / `delta.*`
with the link of the figures they come from; the previous term's figures are `prev.*`.
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from houqin.reports import problems as problem_finder
from houqin.reports.draft import section_headings
from houqin.reports.rules import is_zh

PHRASES = Path(__file__).parent / "data" / "summary_phrases.json"
PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z0-9_]+)*)\}")
ONE = Decimal("0.1")


@cache
def phrases() -> dict:
    return json.loads(PHRASES.read_text(encoding="utf-8"))["phrases"]


def number(fig: dict | None) -> Decimal | None:
    if not fig or fig.get("value") in (None, "None", ""):
        return None
    try:
        return Decimal(str(fig["value"]))
    except InvalidOperation:
        return None


ISO_DAY = re.compile(r"\b\d{4}-(\d{2})-(\d{2})\b")
COUNT_ITEM = re.compile(r"^(.+)：(\d+)$")


def tidy(line: str) -> str:
    """An event line as the text writes it: 2026-10-09 → 10月9日, "手足口病：2" → "手足口病2例"."""
    if not is_zh():
        return line
    line = ISO_DAY.sub(lambda m: f"{int(m[1])}月{int(m[2])}日", line)
    m = COUNT_ITEM.match(line)
    return f"{m[1]}{m[2]}例" if m else line


class Writer:
    """Phrases filled in from one term's figures. `seed` picks the variant of each phrase, so that
    two kindergartens (or two terms) do not read alike, yet a redraft of the same term does."""

    def __init__(self, figures: dict, *, seed: str = ""):
        self.figures = figures
        self.seed = seed

    def value(self, key: str) -> Decimal | None:
        return number(self.figures.get(key))

    def positive(self, key: str) -> bool:
        v = self.value(key)
        return v is not None and v > 0

    def say(self, phrase: str, **values) -> str:
        variants = phrases()[phrase]
        index = zlib.crc32(f"{self.seed}:{phrase}".encode()) % len(variants) if len(variants) > 1 else 0
        text = variants[index][0 if is_zh() else 1]

        def fill(m):
            name = m[1]
            if "." in name:
                return f"[[{name}]]"
            return str(values[name])

        return PLACEHOLDER.sub(fill, text)

    def add(self, key: str, value, unit: str, *, label: str, url: str = "", detail: str = "", section: str = ""):
        self.figures[key] = {"label": label, "value": None if value is None else str(value), "unit": unit, "url": url,
                             "detail": detail, "section": section, "items": [], "district": False}

    def items(self, key: str, limit: int = 6) -> str:
        lines = [tidy(line) for line in (self.figures.get(key) or {}).get("items") or []]
        sep = "；" if is_zh() else "; "
        shown = sep.join(lines[:limit])
        if len(lines) > limit:
            shown += ("等" if is_zh() else " and others")
        return shown

    def compare(self, sentence: str, key: str, *, rate: bool) -> str:
        """The sentence with ", up/down … from last term" before its full stop, when the previous
        term has the figure."""
        now, before = self.value(key), self.value(f"prev.{key}")
        if now is None or before is None:
            return sentence
        delta = (now - before).copy_abs()
        if rate:
            delta = delta.quantize(ONE, rounding=ROUND_HALF_UP)
        if delta == 0:
            clause = self.say("cmp.same")
        else:
            up = now > before
            phrase = ("cmp.rate_up" if up else "cmp.rate_down") if rate else ("cmp.count_up" if up else "cmp.count_down")
            fig = self.figures[key]
            self.add(f"delta.{key}", delta, "" if rate else fig.get("unit", ""),
                     label=("变化" if is_zh() else "change") + f"：{fig.get('label', '')}", url=fig.get("url", ""),
                     detail=f"{now} − {before}", section=fig.get("section", ""))
            clause = self.say(phrase, prev=f"[[prev.{key}]]", delta=f"[[delta.{key}]]")
        stop = "。" if is_zh() else "."
        if sentence.endswith(stop):
            return sentence[: -len(stop)] + clause + stop
        return sentence + clause


def _rate(part, whole) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE, rounding=ROUND_HALF_UP)


def _derive(w: Writer) -> None:
    """The numbers the sentences need that no area gives directly."""
    for prefix in ("", "prev."):
        found, closed = w.value(prefix + "safety.hazards_found"), w.value(prefix + "safety.hazards_closed")
        if found:
            fig = w.figures[prefix + "safety.hazards_closed"]
            w.add(prefix + "calc.hazard_close_rate", _rate(closed, found), "%",
                  label="隐患整改率" if is_zh() else "hazard rectification rate", url=fig.get("url", ""),
                  detail=f"{closed} / {found}", section="safety")
    inspections = w.figures.get("safety.inspections")
    if inspections:
        m = re.match(r"\s*(\d+)", inspections.get("detail") or "")
        if m and int(m[1]):
            w.add("calc.self_checks", int(m[1]), "次" if is_zh() else " self-checks",
                  label="区域自查" if is_zh() else "zone self-checks", url=inspections.get("url", ""), section="safety")


ACTIVITY = ("safety.inspections", "safety.drills", "safety.visitors", "summary.morning_checks", "health.exam_rate",
            "canteen.menus_published", "foodsafety.receipts", "foodsafety.samples", "finance.purchases",
            "finance.repairs", "staff.trainings", "staff.meetings", "summary.disinfections")


def _safety(w: Writer, limits: dict) -> list[str]:
    done, result, reflect = [w.say("safety.intro")], [], []
    if w.positive("safety.inspections") and w.positive("safety.hazards_found"):
        s = w.say("safety.inspections")
        if "calc.hazard_close_rate" in w.figures:
            s = w.compare(s, "calc.hazard_close_rate", rate=True)
        result.append(s)
    elif w.positive("safety.inspections"):
        result.append(w.say("safety.inspections_clean"))
    if "calc.self_checks" in w.figures:
        done.append(w.say("safety.self_checks"))
    if w.positive("safety.visitors"):
        done.append(w.say("safety.visitors"))
    if w.positive("notices.safety_letters"):
        done.append(w.say("safety.letters"))
    if w.positive("safety.education"):
        done.append(w.say("safety.education", items=w.items("safety.education")))
    if w.positive("safety.drills"):
        s = w.compare(w.say("safety.drills", items=w.items("safety.drills")), "safety.drills", rate=False)
        if w.value("safety.drills") >= limits.get("drills_per_term", 0):
            s += w.say("safety.drills_meet", limit=limits.get("drills_per_term"))
        done.append(s)
    elif w.value("safety.drills") is not None:
        reflect.append(w.say("safety.drills_none"))
    if w.value("safety.incidents") == 0:
        result.append(w.say("safety.no_incident"))
    elif w.positive("safety.incidents"):
        result.append(w.say("safety.incidents"))
    if w.positive("safety.injuries"):
        result.append(w.say("safety.injuries"))
    if w.value("safety.fire_overdue") == 0:
        result.append(w.say("safety.fire_ok"))
    return [" ".join(p) if not is_zh() else "".join(p) for p in (done, result, reflect) if p]


def _health(w: Writer, limits: dict) -> list[str]:
    done, result = [], []
    if w.positive("summary.morning_checks") or w.positive("summary.disinfections"):
        done.append(w.say("health.checks"))
    if w.positive("notices.health_letters"):
        done.append(w.say("health.letters"))
    if w.value("health.exam_rate") is not None and w.value("health.vaccination_check_rate") is not None:
        result.append(w.compare(w.say("health.exam"), "health.exam_rate", rate=True))
    if w.value("health.catch_up_rate") is not None:
        result.append(w.say("health.catch_up"))
    if w.positive("health.weak_child_cases"):
        result.append(w.say("health.weak"))
    if w.value("health.disease_cases") == 0 and not w.positive("summary.outbreaks"):
        result.append(w.say("health.no_cases"))
    elif w.positive("health.disease_cases"):
        s = w.say("health.cases", items=w.items("health.disease_cases").replace("；", "、"))
        if w.positive("summary.outbreaks"):
            s += w.say("health.outbreaks", items=w.items("summary.outbreaks", 3))
        if w.positive("health.class_closures"):
            s += w.say("health.closures", items=w.items("health.class_closures", 3))
        result.append(s)
    if w.value("health.attendance_rate") is not None:
        result.append(w.say("health.attendance"))
    return ["".join(p) if is_zh() else " ".join(p) for p in (done, result) if p]


def _meals(w: Writer, limits: dict) -> list[str]:
    done, result = [], []
    if w.positive("canteen.menus_published"):
        s = w.say("meals.menus")
        if w.value("canteen.energy_adequacy") is not None and w.value("canteen.protein_adequacy") is not None:
            s += w.say("meals.energy" if w.value("summary.energy_target") is not None else "meals.energy_notarget")
        done.append(s)
    if w.positive("canteen.diet_surveys"):
        done.append(w.say("meals.surveys"))
    if w.positive("summary.committee_meetings"):
        done.append(w.say("meals.committee", items=w.items("summary.committee_meetings", 4)))
    if w.positive("summary.accounts_published") and w.value("canteen.account_balance") is not None:
        s = w.say("meals.account")
        limit = limits.get("account_balance")
        if limit is not None and abs(w.value("canteen.account_balance")) <= limit:
            stop = "。" if is_zh() else "."
            s = s[: -len(stop)] + ("，" if is_zh() else ", ") + w.say("meals.account_ok", limit=f"{limit.normalize():f}")
            s = s if s.endswith(stop) else s + stop
        done.append(s)
    if w.positive("foodsafety.receipts"):
        result.append(w.say("meals.receipts"))
    if w.positive("foodsafety.expiry_checks") or w.positive("foodsafety.hygiene"):
        result.append(w.say("meals.checks"))
    if w.positive("foodsafety.duties_daily") or w.positive("foodsafety.duties_monthly"):
        done.append(w.say("meals.duties"))
    if w.positive("foodsafety.accompanied_meals"):
        done.append(w.say("meals.accompany"))
    if w.positive("foodsafety.production_days") and w.value("foodsafety.plate_waste") is not None:
        result.append(w.say("meals.production"))
    if w.positive("foodsafety.pest_checks"):
        result.append(w.say("meals.pest"))
    if w.positive("foodsafety.water_tests") or w.positive("foodsafety.filter_changes"):
        result.append(w.say("meals.water"))
    if w.value("safety.incidents") is not None and not w.positive("summary.outbreaks"):
        result.append(w.say("meals.no_poisoning"))
    return ["".join(p) if is_zh() else " ".join(p) for p in (done, result) if p]


def _assets(w: Writer, limits: dict) -> list[str]:
    out = []
    if w.positive("finance.purchases") or w.positive("finance.expenses_paid"):
        out.append(w.say("assets.purchases"))
    if w.positive("finance.repairs"):
        out.append(w.say("assets.repairs"))
    text = []
    if w.positive("assets.lines"):
        text.append(w.say("assets.register_bought" if w.positive("assets.bought") else "assets.register"))
    if w.positive("stock.received"):
        s = w.say("assets.stock")
        if w.positive("stock.disposals"):
            s += w.say("assets.disposals")
        text.append(s)
    if text:
        out.append("".join(text) if is_zh() else " ".join(text))
    return out


def _winners(lines: list[str]) -> list[str]:
    """The names in award lines ("10月 保育员：张三、李四（98分）", "第一期：王芳（4.6）、…"), each once,
    the most often named first, with how many times when more than once."""
    counts: Counter = Counter()
    for line in lines:
        _head, _sep, names = line.partition("：")
        for name in re.split(r"[、,，]", names):
            name = re.sub(r"（.*?）|\(.*?\)", "", name).strip()
            if name:
                counts[name] += 1
    out = []
    for name, n in counts.most_common():
        out.append(f"{name}（{n}次）" if n > 1 and is_zh() else (f"{name} ({n}×)" if n > 1 else name))
    return out


def _staff(w: Writer, limits: dict) -> list[str]:
    out = []
    if w.positive("staff.trainings"):
        out.append(w.compare(w.say("staff.trainings", items=w.items("staff.trainings", 5)), "staff.trainings",
                             rate=False))
    if w.positive("staff.meetings"):
        out.append(w.say("staff.meetings"))
    awards = []
    if w.positive("staff.assessments"):
        awards.append(w.say("staff.assessments"))
    sep = "、" if is_zh() else ", "
    stars = _winners(list(w.figures.get("staff.service_stars", {}).get("items") or []))
    love = _winners(list(w.figures.get("staff.love_aunties", {}).get("items") or []))
    if stars:
        awards.append(w.say("staff.stars", names=sep.join(stars[:8])))
    if love:
        awards.append(w.say("staff.love", names=sep.join(love[:8])))
    if stars or love:
        awards.append(w.say("staff.awards_end"))
    if awards:
        out.append("".join(awards) if is_zh() else " ".join(awards))
    if w.value("staff.certificates_expired") == 0:
        out.append(w.say("staff.certificates_ok"))
    return out


SECTIONS = [("safety", _safety), ("health", _health), ("meals", _meals), ("assets", _assets), ("staff", _staff)]


def compose(*, kindergarten_name: str, term_name: str, figures: dict, previous: dict | None = None,
            limits: dict | None = None) -> tuple[list[dict], dict]:
    """The draft of the summary: ([{key, heading, text}], figures). The figures returned are those
    given plus the previous term's (`prev.*`) and the derived ones the text uses."""
    limits = limits or {}
    figures = dict(figures)
    for key, fig in (previous or {}).items():
        figures[f"prev.{key}"] = {**fig, "label": ("上学期" if is_zh() else "last term: ") + fig.get("label", "")}
    w = Writer(figures, seed=f"{kindergarten_name}:{term_name}")
    _derive(w)
    headings = section_headings()
    join = "" if is_zh() else " "
    intro = [w.say("intro.open", term=term_name)]
    if w.positive("summary.children") and w.positive("summary.classes"):
        intro.append(w.say("intro.size"))
    intro.append(w.say("intro.lead"))
    sections = [{"key": "intro", "heading": headings["intro"], "text": join.join(intro)}]
    empty = not any(w.positive(k) for k in ACTIVITY)
    if empty:  # a short, honest summary: what is there, and that the rest is not
        sections[0]["text"] += "\n" + w.say("empty.term")
    for key, write in SECTIONS:
        paragraphs = [] if empty else write(w, limits)
        if paragraphs:
            sections.append({"key": key, "heading": headings[key], "text": "\n".join(paragraphs)})
    found = problem_finder.find_in(w.figures, limits)
    if found:
        lines = [w.say("problems.lead")]
        for n, p in enumerate(found, start=1):
            lines.append(w.say("problems.item", n=n, text=p.text, measure=p.measure))
    else:
        lines = [w.say("problems.none")]
    lines.append(w.say("closing"))
    sections.append({"key": "problems", "heading": headings["problems"], "text": "\n".join(lines)})
    return sections, w.figures
