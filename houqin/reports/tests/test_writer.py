"""The writer and the problem finder: sentences with measure words, no label glued to a number, no
doubled "%", zero written as a fact; each planted breach named, none invented; a redraft keeps the
director's paragraph."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from houqin.org.models import Role
from houqin.reports import draft, problems, services, versions, writer
from houqin.reports.tests.conftest import actor_of


def fig(value, unit="", items=(), detail=""):
    return {"label": "x", "value": None if value is None else str(value), "unit": unit, "url": "/r/", "detail": detail,
            "section": "", "items": list(items), "district": False}


LIMITS = {"account_balance": Decimal("2"), "drills_per_term": Decimal("3"), "weak_child_share_max": Decimal("10"),
          "catch_up_min": Decimal("95"), "exam_rate_min": Decimal("100"), "vaccination_check_min": Decimal("100"),
          "attendance_min": Decimal("85"), "training_attendance_min": Decimal("90"),
          "outbreak_report_hours": Decimal("24"), "disposal_value_max": Decimal("2")}

CLEAN = {
    "summary.children": fig(598, "名"), "summary.classes": fig(22, "个"),
    "safety.inspections": fig(78, "次", detail="120 daily"), "safety.hazards_found": fig(24, "处"),
    "safety.hazards_closed": fig(20, "处"), "safety.hazards_overdue": fig(0, "处"),
    "safety.drills": fig(3, "次", items=["2026-10-09 消防疏散，22个班，2分10秒"]), "safety.incidents": fig(0, "起"),
    "safety.fire_overdue": fig(0, "件"), "health.exam_rate": fig("100.0", "%"),
    "health.vaccination_check_rate": fig("100.0", "%"), "health.catch_up_rate": fig("100.0", "%"),
    "health.disease_cases": fig(0, "例"), "health.weak_child_cases": fig(5, "名"),
    "summary.weak_child_share": fig("0.8", "%"), "summary.outbreaks": fig(0, "起"),
    "summary.outbreaks_unreported": fig(0, "起"), "summary.outbreaks_late": fig(0, "起"),
    "canteen.menus_published": fig(13, "份"), "canteen.energy_adequacy": fig("85.0", "%"),
    "canteen.protein_adequacy": fig("102.7", "%"), "summary.energy_target": fig("80.0", "%"),
    "canteen.account_balance": fig("1.2", "%"), "summary.accounts_published": fig(4, "个月"),
    "summary.accounts_out_of_line": fig(0, "个月"),
    "foodsafety.receipts": fig(246, "批次"), "foodsafety.rejected": fig(5, "项"), "foodsafety.samples": fig(415, "份"),
    "summary.receipts_expired_licence": fig(0, "批次"), "staff.trainings": fig(4, "次"),
    "staff.service_stars": fig(3, "人次", items=["9月 保育员：张三（98分）", "10月 保育员：张三（97分）", "11月 厨师：李四（99分）"]),
    "staff.certificates_expired": fig(0, "名"),
}


def text_of(sections, figures):
    return "\n".join(draft.render_text(s["text"], figures) for s in sections)


def compose(figures, previous=None):
    with translation.override("zh-hans"):
        sections, figs = writer.compose(kindergarten_name="阳光幼儿园", term_name="2026–2027学年第一学期",
                                        figures=dict(figures), previous=previous, limits=LIMITS)
        return sections, figs, text_of(sections, figs)


def test_the_draft_reads_as_sentences_with_measure_words():
    sections, figures, text = compose(CLEAN, previous={"safety.hazards_found": fig(20, "处"),
                                                       "safety.hazards_closed": fig(14, "处")})
    assert "本学期共开展安全检查78次，排查隐患24处，已整改销号20处，整改率83.3%，较上学期的70%提高了13.3个百分点。" in text
    assert "共留样415份" in text and "共验收食品246批次" in text and "对5名体弱儿建立专案管理" in text
    assert "在园幼儿598名" in text and "10月9日 消防疏散" in text
    assert "全学期未发生安全责任事故" in text and "未发生传染病病例" in text and "未发生食物中毒事件" in text
    assert "张三（2次）、李四获评「服务之星」" in text  # each winner once, not per month
    assert "%%" not in text and "% " not in text and "无记录" not in text and "[[" not in text
    assert not re.search(r"[\u4e00-\u9fff] \d", text)  # no "label 78" glue
    assert "每项数据均可查到对应记录" not in text
    assert "没有违反规定的情况" in text  # the clean term invents no problem
    assert problems.find_in(figures, LIMITS) == []


@pytest.mark.parametrize("key,value,expected", [
    ("canteen.account_balance", "61.0", "累计盈余占伙食费收入的61%，远超±2%的规定"),
    ("canteen.energy_adequacy", "67.2", "能量平均仅达参考摄入量的67.2%，低于80%的目标"),
    ("safety.drills", 2, "只开展应急疏散演练2次，少于每学期不少于3次的要求"),
    ("summary.outbreaks_unreported", 1, "1起传染病聚集性疫情未按规定上报"),
    ("summary.weak_child_share", "29.6", "占在园幼儿的29.6%，远高于通常不超过10%的水平"),
    ("summary.receipts_expired_licence", 14, "有14批次食品是在供应商证照过期的情况下验收入库的"),
    ("safety.hazards_overdue", 2, "仍有2处安全隐患超过整改期限未销号"),
    ("health.catch_up_rate", "59.2", "疫苗补种完成率为59.2%，未达到95%的目标"),
    ("summary.accounts_out_of_line", 1, "虽学期累计控制在规定范围内，但有1个月的月度盈亏超出规定"),
])
def test_each_planted_breach_is_named_with_a_measure(key, value, expected):
    unit = CLEAN[key]["unit"]
    sections, figures, text = compose({**CLEAN, key: fig(value, unit, items=["11月13日 手足口病（2例）"])})
    problems_text = draft.render_text(sections[-1]["text"], figures)
    assert expected in problems_text
    assert problems_text.count("\n1. ") == 1 and "\n2. " not in problems_text  # that one, nothing else
    line = next(l for l in problems_text.splitlines() if l.startswith("1. "))
    assert line.count("。") >= 2  # the fact, then the measure for next term


def test_a_month_out_of_line_is_not_named_again_when_the_terms_account_is():
    figures = {**CLEAN, "summary.accounts_out_of_line": fig(2, "个月", items=["10月：亏损3.1%", "11月：亏损2.6%"]),
               "canteen.account_balance": fig("-2.8", "%")}
    assert [p.key for p in problems.find_in(figures, LIMITS)] == ["meals.account_balance"]
    figures["canteen.account_balance"] = fig("-0.1", "%")
    [found] = problems.find_in(figures, LIMITS)
    assert found.key == "meals.account_months"


def test_problems_are_ranked_by_weight():
    figures = {**CLEAN, "safety.hazards_overdue": fig(2, "处"), "summary.outbreaks_unreported": fig(1, "起"),
               "canteen.account_balance": fig("61", "%")}
    with translation.override("zh-hans"):
        found = problems.find_in(figures, LIMITS)
    assert [p.key for p in found] == ["health.outbreak_unreported", "meals.account_balance", "safety.hazards_overdue"]


def test_merge_keeps_added_and_edited_paragraphs_and_deletions():
    base = ["A", "B", "C"]
    current = ["A", "我加的一段", "B2", "C"]  # added after A, rewrote B
    fresh = ["A", "B", "C", "D"]
    out, kept, review = versions.merge_section(base, current, fresh)
    assert out == ["A", "我加的一段", "B2", "C", "D"] and kept == ["我加的一段", "B2"] and review == []
    out, kept, review = versions.merge_section(base, ["A", "B-mine", "C"], ["A", "B-new", "C"])
    assert out == ["A", "B-mine", "C"] and review == ["B-mine"]  # the records changed under the edit
    out, _k, _r = versions.merge_section(base, ["A", "C"], ["A", "B", "C"])
    assert out == ["A", "C"]  # a paragraph the person deleted stays deleted


@pytest.mark.django_db
def test_a_redraft_keeps_the_directors_added_paragraph_and_the_diff_shows_it(world, term_records):
    director = actor_of(world, Role.DIRECTOR)
    v1 = services.summary_draft(actor=director, term=term_records.k1.term)
    intro = v1.sections[0]["text"] + "\n本学期我园后勤工作在园长的领导下，圆满完成了各项任务。"
    v2 = services.summary_save(actor=director, summary=v1.summary, texts={"intro": intro}, based_on=1)
    v3 = services.summary_draft(actor=director, term=term_records.k1.term)
    assert "本学期我园后勤工作在园长的领导下，圆满完成了各项任务。" in v3.sections[0]["text"]
    assert v3.sections[0]["kept"] == ["本学期我园后勤工作在园长的领导下，圆满完成了各项任务。"]
    rows = versions.diff(v1, v2)[0]["rows"]
    assert {"op": "added", "text": "本学期我园后勤工作在园长的领导下，圆满完成了各项任务。"} in rows


def test_the_safety_section_tells_safety_education_and_injuries():
    figures = {**CLEAN, "safety.education": fig(46, "次", items=["消防安全22次", "交通安全22次", "食品安全2次"]),
               "safety.injuries": fig(3, "起")}
    _sections, _figs, text = compose(figures)
    assert "开展安全教育46次（消防安全22次；交通安全22次；食品安全2次）" in text
    assert "本学期登记幼儿意外伤害3起，均第一时间处置，并当天告知家长。" in text
    _sections, _figs, clean = compose({**CLEAN, "safety.education": fig(0, "次"), "safety.injuries": fig(0, "起")})
    assert "安全教育" not in clean and "意外伤害" not in clean


def test_the_kitchens_logs_are_told_in_the_meals_section():
    figures = {**CLEAN, "foodsafety.production_days": fig(10, "天"), "foodsafety.plate_waste": fig(9, "克"),
               "foodsafety.duties_daily": fig(20, "次"), "foodsafety.duties_weekly": fig(4, "次"),
               "foodsafety.duties_monthly": fig(4, "次"), "foodsafety.accompanied_meals": fig(4, "次"),
               "foodsafety.pest_checks": fig(60, "次"), "foodsafety.filter_changes": fig(5, "次"),
               "foodsafety.water_tests": fig(6, "次")}
    _sections, _figures, text = compose(figures)
    assert "开展日管控20次、周排查4次，召开月调度会议4次" in text and "园领导坚持陪餐4次" in text
    assert "共记录10天，幼儿餐盘剩余平均每人每道菜9克" in text
    assert "检查和消杀60次" in text and "更换滤芯5次，检测水质6次" in text
    _sections, _figures, text = compose(CLEAN)  # nothing recorded: nothing said
    assert "日管控" not in text and "滤芯" not in text and "陪餐" not in text
