"""The shipped food composition table (data/food_composition_cn_v6.csv → canteen.Food rows with no
kindergarten): loaded after every migrate (and after a test database flush) when rows are missing,
or on demand with `manage.py load_foods`. Kindergartens' own foods are never touched."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
FOOD_TABLE = DATA_DIR / "food_composition_cn_v6.csv"
TABLE_SOURCE = "中国食物成分表 标准版 第6版"

# CSV column → Food field
COLUMNS = {
    "energy_kcal": "energy_kcal", "protein_g": "protein_g", "fat_g": "fat_g", "carbohydrate_g": "carbohydrate_g",
    "calcium_mg": "calcium_mg", "iron_mg": "iron_mg", "zinc_mg": "zinc_mg", "vitamin_a_ug_rae": "vitamin_a_ug",
    "thiamin_mg": "thiamin_mg", "riboflavin_mg": "riboflavin_mg", "vitamin_c_mg": "vitamin_c_mg",
    "phosphorus_mg": "phosphorus_mg", "sodium_mg": "sodium_mg",
}

GROUPS = {
    "谷类": "cereals", "薯类": "tubers", "蔬菜": "vegetables", "菌藻": "vegetables", "水果": "fruit", "畜肉": "meat",
    "禽肉": "meat", "鱼虾蟹贝": "meat", "蛋类": "egg", "乳类": "milk", "坚果": "nuts", "油脂": "oil",
}
ALLERGEN_WORDS = ("花生", "芒果", "芝麻", "核桃", "腰果", "杏仁", "荞麦", "蚕豆", "菠萝", "猕猴桃")


_FAT = re.compile(r"\bfat\s*(\d+(?:\.\d+)?)\s*g\b", re.I)
_QUALIFIER = re.compile(r"\s*(?:[（(][^（）()]*(?:[（(][^（）()]*[)）][^（）()]*)*[)）]|\[[^\]]*\])")


def full_name(name: str) -> str:
    """The table's name with its English notes in Chinese: "猪肉（瘦，fat 8g）" → "猪肉（瘦，脂肪8 g）"."""
    return _FAT.sub(lambda m: f"脂肪{m.group(1)} g", name)


def kitchen_name(name: str) -> str:
    """The plain food name of a table entry, as a kitchen writes it: the name before its
    qualifiers ("纯牛奶（代表值，全脂）" → "纯牛奶", "猪肉（代表值，fat 30g）" → "猪肉",
    "猪肾(fat 8g) [猪腰子]" → "猪肾"); a name that is all qualifier keeps its full name."""
    plain = _QUALIFIER.sub("", name).strip()
    return plain or full_name(name)


def pagoda_group(row: dict) -> str:
    group = row.get("food_group", "")
    if group == "豆类":
        return "soy" if row.get("category_l2") == "大豆" else "beans"
    return GROUPS.get(group, "other")


def allergens_of(row: dict) -> str:
    """Allergen words for a shipped food (the words a child's record uses: 牛奶, 鸡蛋, 花生…)."""
    group, l2, name = row.get("food_group", ""), row.get("category_l2", ""), row.get("food_name", "")
    found = []
    if group == "乳类":
        found.append("牛奶")
    if group == "蛋类":
        found.append("鸡蛋")
    if group == "鱼虾蟹贝":
        found.append("虾" if "虾" in name else "蟹" if "蟹" in name else "鱼")
    if group == "豆类" and l2 == "大豆":
        found.append("大豆")
    if group == "谷类" and l2 == "小麦":
        found.append("小麦")
    if group == "豆类" and l2 == "蚕豆":
        found.append("蚕豆")
    found += [w for w in ALLERGEN_WORDS if w in name and w not in found]
    return ",".join(found)


def _value(text: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_table() -> list[dict]:
    with FOOD_TABLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def food_from_row(row: dict):
    from houqin.canteen.models import Food

    edible = _value(row.get("edible_pct")) or 100.0
    food = Food(
        kindergarten=None, food_code=row["food_code"], name=row["food_name"].strip()[:80],
        food_group=row.get("food_group", "")[:20], pagoda_group=pagoda_group(row),
        edible_pct=Decimal(str(min(max(edible, 0.1), 100))).quantize(Decimal("0.1")),
        allergens=allergens_of(row)[:100], source=f"{TABLE_SOURCE} {row['food_code']}",
        **{field: _value(row.get(column)) for column, field in COLUMNS.items()},
    )
    return food.fill_derived()


def load_food_table(*, update: bool = False, using: str = "default") -> dict:
    """Create the shipped foods that are missing; with `update`, also rewrite the values of those
    present (a new transcription or edition). Returns {"created": n, "updated": n}."""
    from houqin.canteen.models import Food

    rows = read_table()
    existing = {f.food_code: f for f in Food.objects.using(using).filter(kindergarten__isnull=True)}
    new, changed = [], []
    for row in rows:
        food = food_from_row(row)
        current = existing.get(food.food_code)
        if current is None:
            new.append(food)
        elif update:
            food.pk, food.code, food.created_at = current.pk, current.code, current.created_at
            changed.append(food)
    Food.objects.using(using).bulk_create(new, batch_size=500)
    if changed:
        fields = ["name", "name_pinyin", "name_initials", "food_group", "pagoda_group", "edible_pct", "allergens",
                  "source", *COLUMNS.values()]
        Food.objects.using(using).bulk_update(changed, fields, batch_size=500)
    return {"created": len(new), "updated": len(changed)}


def ensure_food_table(sender=None, using: str = "default", **kwargs) -> None:
    """post_migrate receiver: load the table when it is not all there (a fresh or flushed database)."""
    from django.db import connections

    from houqin.canteen.models import Food

    if Food._meta.db_table not in connections[using].introspection.table_names():
        return
    if Food.objects.using(using).filter(kindergarten__isnull=True).count() >= _row_count():
        return
    load_food_table(using=using)


_ROWS: list[int] = []


def _row_count() -> int:
    if not _ROWS:
        with FOOD_TABLE.open(encoding="utf-8") as handle:
            _ROWS.append(sum(1 for _ in csv.DictReader(handle)))
    return _ROWS[0]
