"""The words allergies and special diets are kept in, shared by the health register and the canteen.

A child's need is a set of *avoid tags*: an allergen group (egg, milk, peanut…) for an allergy, and
for a diet the foods it excludes (清真: pork; 素食: meat, fish and shellfish). A food's tags come from
its `allergens` words (the food composition table's groups: 乳类 → 牛奶, 蛋类 → 鸡蛋, 鱼虾蟹贝 → 鱼/虾/蟹,
大豆, 小麦, and the named ones 花生, 芝麻, 核桃…; a kindergarten's own food has the words typed on
it) and, for diets, from its pagoda group and name. Pure functions: no database.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Allergen(models.TextChoices):
    EGG = "egg", _("Egg")
    MILK = "milk", _("Milk")
    PEANUT = "peanut", _("Peanut")
    TREE_NUT = "tree_nut", _("Tree nuts")
    SOY = "soy", _("Soy")
    WHEAT = "wheat", _("Wheat (gluten)")
    FISH = "fish", _("Fish")
    SHELLFISH = "shellfish", _("Shrimp and crab")
    SESAME = "sesame", _("Sesame")
    MANGO = "mango", _("Mango")
    BUCKWHEAT = "buckwheat", _("Buckwheat")
    BROAD_BEAN = "broad_bean", _("Broad beans (G6PD deficiency)")
    PINEAPPLE = "pineapple", _("Pineapple")
    KIWI = "kiwi", _("Kiwi fruit")


class Diet(models.TextChoices):
    HALAL = "halal", _("Halal (no pork)")
    VEGETARIAN = "vegetarian", _("Vegetarian")
    LIQUID = "liquid", _("Liquid diet")
    SOFT = "soft", _("Soft diet")


class DietTag(models.TextChoices):
    """What a diet excludes, as a tag a dish can carry."""

    PORK = "pork", _("Pork")
    MEAT = "meat", _("Meat, fish and shellfish")


# The words a food's `allergens` field uses, to the allergen group they belong to.
WORDS: dict[str, str] = {
    "鸡蛋": "egg", "蛋": "egg", "牛奶": "milk", "奶": "milk", "乳": "milk", "花生": "peanut",
    "坚果": "tree_nut", "核桃": "tree_nut", "腰果": "tree_nut", "杏仁": "tree_nut", "榛子": "tree_nut",
    "开心果": "tree_nut", "松子": "tree_nut", "大豆": "soy", "黄豆": "soy", "豆腐": "soy", "小麦": "wheat",
    "麸质": "wheat", "面粉": "wheat", "鱼": "fish", "虾": "shellfish", "蟹": "shellfish", "甲壳": "shellfish",
    "芝麻": "sesame", "芒果": "mango", "荞麦": "buckwheat", "蚕豆": "broad_bean", "菠萝": "pineapple",
    "猕猴桃": "kiwi",
}
# Longest words first, so that 鸡蛋 is read before 蛋 and 牛奶 before 奶.
_ORDERED = sorted(WORDS, key=len, reverse=True)

# Which tags each diet avoids (liquid and soft diets change how everything is cooked: the kitchen list
# names the child for every meal of those days, no dish is "safe").
DIET_AVOIDS: dict[str, frozenset[str]] = {
    Diet.HALAL: frozenset({DietTag.PORK.value}),
    Diet.VEGETARIAN: frozenset({DietTag.MEAT.value, Allergen.FISH.value, Allergen.SHELLFISH.value}),
    Diet.LIQUID: frozenset(),
    Diet.SOFT: frozenset(),
}
WHOLE_MEAL_DIETS = frozenset({Diet.LIQUID.value, Diet.SOFT.value})


# the tags of each kind, read once: an enum's .values builds its choices (with their labels) anew each time
_TAG_KINDS = ((Allergen, frozenset(Allergen.values)), (DietTag, frozenset(DietTag.values)))
_ALLERGEN_VALUES = _TAG_KINDS[0][1]


def tag_label(tag: str) -> str:
    for choices, values in _TAG_KINDS:
        if tag in values:
            return str(choices(tag).label)
    return tag


def words_to_tags(words: str) -> set[str]:
    """The allergen groups named by a food's allergen words ("牛奶,鸡蛋" → {"milk", "egg"}); an unknown
    word is kept as it is, so that a kindergarten's own word still matches nothing silently wrong."""
    tags = set()
    for word in (w.strip() for w in re.split(r"[,，、;；\s]+", words or "")):
        if not word:
            continue
        if word in _ALLERGEN_VALUES:
            tags.add(word)
            continue
        hit = next((WORDS[w] for w in _ORDERED if w in word), None)
        tags.add(hit or word)
    return tags


def food_tags(*, allergens: str, pagoda_group: str = "", name: str = "", food_group: str = "") -> set[str]:
    """Every avoid tag of one food: its allergen groups, and pork / meat for the diets."""
    tags = words_to_tags(allergens)
    if pagoda_group == "meat":
        tags.add(DietTag.MEAT.value)
    if "猪" in (name or "") and food_group not in ("蔬菜", "菌藻", "水果"):  # 猪肉, 猪肝…; not 猪苓 or the like
        tags.add(DietTag.PORK.value)
    return tags


def need_tags(*, allergen: str = "", diet: str = "") -> frozenset[str]:
    """The tags one register entry makes a child avoid."""
    if allergen:
        return frozenset({allergen})
    return DIET_AVOIDS.get(diet, frozenset())
