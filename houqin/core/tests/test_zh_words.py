"""The words pages use for what the data stores as keys: audit actions, change reasons, rule sources,
food names and quantities."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

from houqin import policy
from houqin.canteen.foods import full_name, kitchen_name
from houqin.core.audit import ACTION_LABELS, action_label, object_label
from houqin.core.citations import cite, titles
from houqin.core.templatetags.hq import grams

HOUQIN = Path(__file__).resolve().parents[2]


def _written_actions() -> set[str]:
    """The literal actions the code passes to audit_event(action=…)."""
    found = set()
    for path in HOUQIN.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit_event":
                for kw in node.keywords:
                    if kw.arg == "action" and isinstance(kw.value, ast.Constant):
                        found.add(kw.value.value)
    return found


def test_every_audited_action_has_words():
    sensitive = {name for name, cap in policy.CAPABILITIES.items() if cap.sensitive}
    written = _written_actions()
    assert len(written) > 10
    assert sorted((sensitive | written) - set(ACTION_LABELS)) == []


def test_the_audit_log_speaks_chinese():
    with translation.override("zh-hans"):
        assert action_label("health.child.view") == "查看了幼儿健康档案"
        assert action_label("no.such.action") == "其他操作"
        assert object_label("org.Child") == "幼儿"
        assert object_label("gone.Model") == "记录"


def test_shipped_rule_sources_are_cited_by_their_chinese_title():
    assert len(titles()) > 40
    for source, title in titles().items():
        assert title and not re.search(r"[A-Za-z]{3,}", title.replace("BMI", "")), (source, title)
    hygiene = next(s for s in titles() if s.startswith("《托儿所幼儿园卫生保健工作规范》(卫生部"))
    assert cite(hygiene) == "《托儿所幼儿园卫生保健工作规范》（2012）"
    assert cite("本园自定 2025") == "本园自定 2025"  # a source a kindergarten typed itself
    assert cite("") == ""


@pytest.mark.parametrize("name,kitchen,full", [
    ("猪肉（代表值，fat 30g）", "猪肉", "猪肉（代表值，脂肪30 g）"),
    ("纯牛奶（代表值，全脂）", "纯牛奶", "纯牛奶（代表值，全脂）"),
    ("猪肾(fat 8g) [猪腰子]", "猪肾", "猪肾(脂肪8 g) [猪腰子]"),
    ("小麦", "小麦", "小麦"),
])
def test_foods_by_their_kitchen_name(name, kitchen, full):
    assert kitchen_name(name) == kitchen
    assert full_name(name) == full


def test_every_food_of_the_table_has_a_kitchen_name_without_english():
    import csv

    with open(HOUQIN / "canteen" / "data" / "food_composition_cn_v6.csv", encoding="utf-8") as f:
        names = [row["food_name"] for row in csv.DictReader(f)]
    assert len(names) > 1000
    assert [n for n in names if not kitchen_name(n)] == []
    assert [n for n in names if re.search(r"\bfat\b", full_name(n))] == []


@pytest.mark.parametrize("value,shown", [
    ("0.5", "0.5"), ("0.04", "0.04"), ("3.0", "3"), ("2.25", "2.3"), ("12.6", "13"), ("125", "125"), (None, ""),
])
def test_grams_keep_a_decimal_below_ten(value, shown):
    assert grams(value) == shown
