"""The problem finder: the rules a term's records break, worst first, each with a measure for next
term. The "存在问题" of the semester summary is written from it, and the district comparison marks
the same breaches.

`find(kindergarten, term)` reads the term's figures and the rules in force; `find_in(figures,
limits)` is the plain function over them. Each check in CHECKS looks at figures only (every number
it names is a figure token, so it links to its records) and returns a Problem or None. To add a
rule: write a check and add it to CHECKS.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from houqin.reports.rules import is_zh


@dataclass(frozen=True)
class Problem:
    key: str  # the check, e.g. "meals.account_balance"
    weight: int  # higher first
    section: str
    text: str  # what is wrong, with figure tokens
    measure: str  # what we will do next term
    figures: tuple = ()  # the figure keys it rests on
    rule: str = ""  # the rule in a few characters (≥95%, ±2%, 0), shown beside a flagged value


def _v(figures: dict, key: str) -> Decimal | None:
    fig = figures.get(key)
    if not fig or fig.get("value") in (None, "None", ""):
        return None
    try:
        return Decimal(str(fig["value"]))
    except InvalidOperation:
        return None


def _items(figures: dict, key: str, n: int = 3) -> str:
    lines = list((figures.get(key) or {}).get("items") or [])[:n]
    return ("；" if is_zh() else "; ").join(lines)


def _fmt(d: Decimal) -> str:
    return f"{d.normalize():f}"


def T(zh: str, en: str) -> str:
    return zh if is_zh() else en


ZERO = "= 0"  # the rule of a count that should be none (an overdue hazard, an unreported outbreak)


# --- the checks ---------------------------------------------------------------------------------


def outbreak_unreported(f, limits):
    n = _v(f, "summary.outbreaks_unreported")
    if not n:
        return None
    return Problem("health.outbreak_unreported", 100, "health", T(
        f"本学期有[[summary.outbreaks_unreported]]传染病聚集性疫情未按规定上报（{_items(f, 'summary.outbreaks_unreported')}），疫情报告存在漏报。",
        f"[[summary.outbreaks_unreported]] of infectious disease were never reported ({_items(f, 'summary.outbreaks_unreported')})."),
        T("下学期由保健老师专人负责，聚集性疫情一经发现即向疾控中心和教育局报告，并在系统中登记报告时间，园长每周核查。",
          "Next term the health teacher reports every cluster to the CDC and the bureau as soon as it is found and records the time; the director checks weekly."),
        ("summary.outbreaks_unreported",), ZERO)


def receipts_expired_licence(f, limits):
    n = _v(f, "summary.receipts_expired_licence")
    if not n:
        return None
    return Problem("meals.expired_licence", 90, "meals", T(
        f"有[[summary.receipts_expired_licence]]食品是在供应商证照过期的情况下验收入库的（{_items(f, 'summary.receipts_expired_licence')}），索证索票没有把住关口。",
        f"[[summary.receipts_expired_licence]] were accepted while the supplier's licence had expired ({_items(f, 'summary.receipts_expired_licence')})."),
        T("开学前逐一核对供应商证照，证照过期的供应商一律暂停供货，验收时先查证后验货。",
          "Before term starts every supplier's licences are checked; a supplier with an expired licence stops delivering until it is renewed."),
        ("summary.receipts_expired_licence",), ZERO)


def account_balance(f, limits):
    v, limit = _v(f, "canteen.account_balance"), limits.get("account_balance")
    if v is None or limit is None or abs(v) <= limit:
        return None
    surplus = v > 0
    return Problem("meals.account_balance", 80, "meals", T(
        f"幼儿伙食帐本学期累计{'盈余' if surplus else '亏损'}占伙食费收入的[[canteen.account_balance]]，远超±{_fmt(limit)}%的规定，"
        + ("伙食费没有足额用在幼儿膳食上。" if surplus else "伙食费收支失衡。"),
        f"The children's meal account ran a cumulated {'surplus' if surplus else 'deficit'} of [[canteen.account_balance]] "
        f"of the meal fees, beyond the ±{_fmt(limit)}% rule."),
        T("下学期每月核算伙食帐，" + ("据实提高膳食标准、改善幼儿伙食，" if surplus else "调整采购和食谱，")
          + f"将盈亏控制在±{_fmt(limit)}%以内，并向膳食委员会和家长公布。",
          "Next term the account is checked monthly and the menus "
          + ("improved to use the fees on the children's food, " if surplus else "and purchases adjusted, ")
          + f"to stay within ±{_fmt(limit)}%, and published to the committee and the parents."),
        ("canteen.account_balance",), f"±{_fmt(limit)}%")


def account_months_out_of_line(f, limits):
    """A month whose own balance went beyond its limit while the term's stayed within it (the term's
    own breach is account_balance, worse and named instead)."""
    n, term, limit = _v(f, "summary.accounts_out_of_line"), _v(f, "canteen.account_balance"), limits.get("account_balance")
    if not n or (term is not None and limit is not None and abs(term) > limit):
        return None
    return Problem("meals.account_months", 45, "meals", T(
        f"幼儿伙食帐虽学期累计控制在规定范围内，但有[[summary.accounts_out_of_line]]的月度盈亏超出规定（{_items(f, 'summary.accounts_out_of_line')}），月度收支还不够均衡。",
        f"The meal account stayed within its limit over the term, but [[summary.accounts_out_of_line]] went beyond it "
        f"({_items(f, 'summary.accounts_out_of_line')})."),
        T("下学期每月中旬核对伙食帐进度，发现偏离及时调整采购量和食谱，月底前回到规定范围内。",
          "Next term the account is checked in the middle of each month, and purchases and menus adjusted before "
          "the month ends."),
        ("summary.accounts_out_of_line",), ZERO)


def outbreak_late(f, limits):
    n = _v(f, "summary.outbreaks_late")
    if not n:
        return None
    hours = limits.get("outbreak_report_hours", Decimal("24"))
    return Problem("health.outbreak_late", 70, "health", T(
        f"[[summary.outbreaks_late]]聚集性疫情报告超过{_fmt(hours)}小时才上报（{_items(f, 'summary.outbreaks_late')}）。",
        f"[[summary.outbreaks_late]] were reported more than {_fmt(hours)} hours after they were found ({_items(f, 'summary.outbreaks_late')})."),
        T("完善疫情报告流程，明确报告责任人和时限。", "The reporting steps get a named person and a deadline."),
        ("summary.outbreaks_late",), ZERO)


def energy_low(f, limits):
    energy, target = _v(f, "canteen.energy_adequacy"), _v(f, "summary.energy_target")
    if energy is None or target is None or energy >= target:
        return None
    protein = _v(f, "canteen.protein_adequacy")
    also = protein is not None and protein < target
    return Problem("meals.energy_low", 60, "meals", T(
        "食谱营养分析显示，能量平均仅达参考摄入量的[[canteen.energy_adequacy]]"
        + ("，蛋白质为[[canteen.protein_adequacy]]" if also else "") + "，低于[[summary.energy_target]]的目标。",
        "The menus gave only [[canteen.energy_adequacy]] of the reference energy intake"
        + (" and [[canteen.protein_adequacy]] of the protein" if also else "") + ", below the [[summary.energy_target]] target."),
        T("下学期调整带量食谱，增加主食和优质蛋白的供给量，每份食谱发布前先做营养分析，达标后再公布。",
          "Next term the quantified menus get more staples and high-quality protein, and every menu is analysed before it is published."),
        ("canteen.energy_adequacy", "summary.energy_target"), f"≥{_fmt(target)}%")


def protein_low(f, limits):
    energy, protein, target = (_v(f, "canteen.energy_adequacy"), _v(f, "canteen.protein_adequacy"),
                               _v(f, "summary.energy_target"))
    if protein is None or target is None or protein >= target or (energy is not None and energy < target):
        return None  # named with the energy when both are low
    return Problem("meals.protein_low", 55, "meals", T(
        "食谱蛋白质平均仅达参考摄入量的[[canteen.protein_adequacy]]，低于[[summary.energy_target]]的目标。",
        "The menus gave only [[canteen.protein_adequacy]] of the reference protein intake, below the [[summary.energy_target]] target."),
        T("增加蛋、奶、豆制品和瘦肉的供给，保证优质蛋白占一半以上。",
          "More eggs, milk, soy and lean meat, so that high-quality protein is at least half."),
        ("canteen.protein_adequacy",), f"≥{_fmt(target)}%")


def drills_short(f, limits):
    n, minimum = _v(f, "safety.drills"), limits.get("drills_per_term")
    if n is None or minimum is None or n >= minimum:
        return None
    return Problem("safety.drills_short", 60, "safety", T(
        f"本学期只开展应急疏散演练[[safety.drills]]，少于每学期不少于{_fmt(minimum)}次的要求。"
        if n else f"本学期没有开展应急疏散演练，未达到每学期不少于{_fmt(minimum)}次的要求。",
        f"Only [[safety.drills]] were held, fewer than the {_fmt(minimum)} a term the rule asks."
        if n else f"No drill was held, against the rule of {_fmt(minimum)} a term."),
        T("下学期开学初排定消防、地震、防暴等演练时间表，每月至少一次，演练后记录用时并总结。",
          "Next term a drill calendar (fire, earthquake, intruder) is set at the start, at least one a month, each timed and reviewed."),
        ("safety.drills",), T(f"≥{_fmt(minimum)}次", f"≥ {_fmt(minimum)}"))


def hazards_overdue(f, limits):
    if not _v(f, "safety.hazards_overdue"):
        return None
    return Problem("safety.hazards_overdue", 50, "safety", T(
        "仍有[[safety.hazards_overdue]]安全隐患超过整改期限未销号。",
        "[[safety.hazards_overdue]] are still open past their deadline."),
        T("逐项明确整改责任人和完成日期，园长每周跟踪，开学前全部销号。",
          "Each gets a named person and a date; the director follows them weekly, all closed before next term."),
        ("safety.hazards_overdue",), ZERO)


def weak_child_share(f, limits):
    share, maximum = _v(f, "summary.weak_child_share"), limits.get("weak_child_share_max")
    if share is None or maximum is None or share <= maximum:
        return None
    return Problem("health.weak_child_share", 50, "health", T(
        f"纳入体弱儿专案管理的幼儿占在园幼儿的[[summary.weak_child_share]]，远高于通常不超过{_fmt(maximum)}%的水平，需核实筛查标准是否过宽、专案是否及时结案。",
        f"[[summary.weak_child_share]] of the children are in weak-child cases, far above the usual {_fmt(maximum)}%: check the screening and close cases on time."),
        T("保健老师对照体检结果逐一复核专案，已达标的及时结案，其余落实个案干预和家园共育。",
          "The health teacher reviews each case against the exam results, closes those that are resolved and follows the rest."),
        ("summary.weak_child_share",), f"≤{_fmt(maximum)}%")


def fire_overdue(f, limits):
    if not _v(f, "safety.fire_overdue"):
        return None
    return Problem("safety.fire_overdue", 45, "safety", T(
        "有[[safety.fire_overdue]]消防器材逾期未检查或未年检。", "[[safety.fire_overdue]] of fire equipment are overdue for a check."),
        T("联系消防维保单位尽快检测、充装，建立器材到期提醒。", "The maintenance company checks and refills them at once."),
        ("safety.fire_overdue",), ZERO)


def staff_certificates(f, limits):
    if not _v(f, "staff.certificates_expired"):
        return None
    return Problem("staff.certificates_expired", 45, "staff", T(
        "有[[staff.certificates_expired]]后勤人员健康证已过期。", "[[staff.certificates_expired]] of the staff have an expired health certificate."),
        T("组织相关人员尽快复检，健康证过期者暂停接触幼儿和食品的岗位。",
          "They are re-examined at once and kept away from the children and food until then."),
        ("staff.certificates_expired",), ZERO)


def supplier_certificates(f, limits):
    if not _v(f, "foodsafety.certificates_expired"):
        return None
    return Problem("meals.certificates_expired", 40, "meals", T(
        "供应商证照有[[foodsafety.certificates_expired]]已过期尚未更新。",
        "[[foodsafety.certificates_expired]] of supplier certificates have expired and were not renewed."),
        T("督促供应商在到期前30天提交新证照，逾期未更新的停止供货。",
          "Suppliers hand in new certificates 30 days before expiry, or stop delivering."),
        ("foodsafety.certificates_expired",), ZERO)


def _rate_check(key, figure, limit_key, weight, section, zh, en, zh_measure, en_measure):
    def check(f, limits):
        v, minimum = _v(f, figure), limits.get(limit_key)
        if v is None or minimum is None or v >= minimum:
            return None
        return Problem(key, weight, section, T(zh.format(limit=_fmt(minimum)), en.format(limit=_fmt(minimum))),
                       T(zh_measure, en_measure), (figure,), f"≥{_fmt(minimum)}%")

    check.__name__ = key.replace(".", "_")
    return check


catch_up_low = _rate_check(
    "health.catch_up_low", "health.catch_up_rate", "catch_up_min", 35, "health",
    "疫苗补种完成率为[[health.catch_up_rate]]，未达到{limit}%的目标。",
    "The catch-up vaccination rate was [[health.catch_up_rate]], below the {limit}% target.",
    "加大接种宣传，逐一通知家长，按时带幼儿补种并查验接种证。",
    "Parents are told one by one and the certificates checked again after the catch-up doses.")
exam_low = _rate_check(
    "health.exam_low", "health.exam_rate", "exam_rate_min", 35, "health",
    "幼儿体检率为[[health.exam_rate]]，未达到{limit}%。", "The exam rate was [[health.exam_rate]], short of {limit}%.",
    "与社区卫生服务中心预约补检，确保每名幼儿按时体检。", "Missed exams are booked with the community health centre.")
vaccination_low = _rate_check(
    "health.vaccination_low", "health.vaccination_check_rate", "vaccination_check_min", 30, "health",
    "预防接种证查验率为[[health.vaccination_check_rate]]，未达到{limit}%。",
    "Vaccination certificates were checked for [[health.vaccination_check_rate]], short of {limit}%.",
    "开学30天内完成全部幼儿的接种证查验。", "Every certificate is checked within 30 days of the start of term.")
attendance_low = _rate_check(
    "health.attendance_low", "health.attendance_rate", "attendance_min", 30, "health",
    "幼儿出勤率为[[health.attendance_rate]]，低于{limit}%。", "Attendance was [[health.attendance_rate]], below {limit}%.",
    "做好因病缺勤追踪，分析缺勤原因，加强传染病防控。", "Absences are followed up and their causes analysed.")
training_attendance_low = _rate_check(
    "staff.training_attendance_low", "staff.training_attendance", "training_attendance_min", 20, "staff",
    "后勤人员培训出勤率为[[staff.training_attendance]]，低于{limit}%。",
    "Staff training attendance was [[staff.training_attendance]], below {limit}%.",
    "培训时间提前排定，缺席者安排补训并纳入月考核。", "Trainings are scheduled ahead; those absent are trained again.")


def disposals_high(f, limits):
    received, maximum = _v(f, "stock.received"), limits.get("disposal_value_max")
    fig = f.get("stock.disposals") or {}
    try:
        disposed = abs(Decimal(str(fig.get("detail") or "0")))
    except InvalidOperation:
        return None
    if not received or maximum is None or disposed * 100 / received <= maximum:
        return None
    return Problem("assets.disposals_high", 25, "assets", T(
        f"因过期、损坏报损物品{disposed}元，占入库金额的{(disposed * 100 / received).quantize(Decimal('0.1'))}%，超过{_fmt(maximum)}%，存在浪费。",
        f"Goods worth {disposed} yuan were written off, {(disposed * 100 / received).quantize(Decimal('0.1'))}% of the goods received, above {_fmt(maximum)}%."),
        T("按需申购、先进先出，临期物品提前预警使用。", "Buy to need, first in first out, and use goods before they expire."),
        ("stock.disposals", "stock.received"), f"≤{_fmt(maximum)}%")


CHECKS = [outbreak_unreported, receipts_expired_licence, account_balance, account_months_out_of_line, outbreak_late,
          energy_low, protein_low,
          drills_short, hazards_overdue, weak_child_share, fire_overdue, staff_certificates, supplier_certificates,
          catch_up_low, exam_low, vaccination_low, attendance_low, training_attendance_low, disposals_high]


def find_in(figures: dict, limits: dict) -> list[Problem]:
    """Every rule the figures break, the heaviest first."""
    found = [p for check in CHECKS if (p := check(figures, limits)) is not None]
    return sorted(found, key=lambda p: -p.weight)


def find(kindergarten, term) -> list[Problem]:
    """The problems of a term of a kindergarten, from its records now."""
    from houqin.core.registry import figures_for
    from houqin.reports.draft import snapshot
    from houqin.reports.rules import limits_for

    figures = {f.key: snapshot(f) for f in figures_for([kindergarten], term.start, term.end)[kindergarten.pk]}
    return find_in(figures, limits_for([kindergarten])[kindergarten.pk])
