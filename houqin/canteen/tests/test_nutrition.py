"""The nutrition calculation against hand calculations from the food composition table (within
0.5 %), and its edge cases. Values per 100 g (中国食物成分表 第6版):

              kcal   protein fat   CHO   Ca   vitA  vitC  P     group
粳米（标一）   345    7.7     0.6   77.4  11   0     0     121   cereals
鸡蛋（代表值） 139    13.1    8.6   2.4   56   255   0     130   egg
纯牛奶（代表值）65    3.3     3.6   4.9   107  54    0     90    milk
小白菜[青菜]   14     1.4     0.3   2.4   117  154   64    26    vegetables
猪肉（瘦）     143    20.3    6.2   1.5   6    44    0     189   meat
豆油           899    0       99.9  0     13   —     —     7     oil

Two days: milk 200 g and egg 40 g (raw 46) at breakfast; rice 200 g, pork 60 g, greens 200 g (raw
212.8) and oil 20 g at lunch. By hand, per day (÷ 2):
energy  (130 + 55.6 + 690 + 85.8 + 28 + 179.8) / 2 = 584.6 kcal
protein (6.6 + 5.24 + 15.4 + 12.18 + 2.8) / 2 = 21.11 g
fat     (7.2 + 3.44 + 1.2 + 3.72 + 0.6 + 19.98) / 2 = 18.07 g
CHO     (9.8 + 0.96 + 154.8 + 0.9 + 4.8) / 2 = 85.63 g
calcium (214 + 22.4 + 22 + 3.6 + 234 + 2.6) / 2 = 249.3 mg
vit A   (108 + 102 + 26.4 + 308) / 2 = 272.2 μg — oil has no value (reported)
P       (180 + 52 + 242 + 113.4 + 52 + 1.4) / 2 = 320.4 mg → Ca:P 0.778
"""

import pytest

from houqin.canteen import nutrition
from houqin.canteen.rules import build_rules
from houqin.canteen.tests.conftest import EGG, GREENS, MILK, OIL, PORK, RICE, food

TABLE = {
    "rice": ("粳米（标一）", "cereals", dict(energy_kcal=345, protein_g=7.7, fat_g=0.6, carbohydrate_g=77.4,
                                            calcium_mg=11, vitamin_a_ug=0, vitamin_c_mg=0, phosphorus_mg=121)),
    "egg": ("鸡蛋（代表值）", "egg", dict(energy_kcal=139, protein_g=13.1, fat_g=8.6, carbohydrate_g=2.4, calcium_mg=56,
                                        vitamin_a_ug=255, vitamin_c_mg=0, phosphorus_mg=130)),
    "milk": ("纯牛奶（代表值，全脂）", "milk", dict(energy_kcal=65, protein_g=3.3, fat_g=3.6, carbohydrate_g=4.9,
                                                  calcium_mg=107, vitamin_a_ug=54, vitamin_c_mg=0, phosphorus_mg=90)),
    "greens": ("小白菜 [青菜]", "vegetables", dict(energy_kcal=14, protein_g=1.4, fat_g=0.3, carbohydrate_g=2.4,
                                                 calcium_mg=117, vitamin_a_ug=154, vitamin_c_mg=64, phosphorus_mg=26)),
    "pork": ("猪肉（瘦）", "meat", dict(energy_kcal=143, protein_g=20.3, fat_g=6.2, carbohydrate_g=1.5, calcium_mg=6,
                                      vitamin_a_ug=44, vitamin_c_mg=0, phosphorus_mg=189)),
    "oil": ("豆油", "oil", dict(energy_kcal=899, protein_g=0, fat_g=99.9, carbohydrate_g=0, calcium_mg=13,
                              vitamin_a_ug=None, vitamin_c_mg=None, phosphorus_mg=7)),
}
# food, grams edible, grams raw, meal
PLAN = [("milk", 200, 200, "breakfast"), ("egg", 40, 46, "breakfast"), ("rice", 200, 200, "lunch"),
        ("pork", 60, 60, "lunch"), ("greens", 200, 212.8, "lunch"), ("oil", 20, 20, "lunch")]


def _foods():
    return {key: nutrition.FoodData(id=i, name=name, group=group, values=values)
            for i, (key, (name, group, values)) in enumerate(TABLE.items())}


def _analyse(foods, **kwargs):
    portions = [nutrition.Portion(food=foods[k], grams_edible=e, grams_raw=r, meal=m) for k, e, r, m in PLAN]
    options = {"divisor": 2, "age": 4, "care_type": "full_day_two", "rules": build_rules(),
               "meals": ["breakfast", "lunch", "afternoon_snack"], **kwargs}
    return nutrition.analyse(portions, **options)


def close(value, expected):
    assert value == pytest.approx(expected, rel=0.005), (value, expected)


def test_intake_per_child_per_day_matches_the_hand_calculation():
    a = _analyse(_foods())
    for key, expected in (("energy_kcal", 584.6), ("protein_g", 21.11), ("fat_g", 18.07), ("carbohydrate_g", 85.63),
                          ("calcium_mg", 249.3), ("vitamin_a_ug", 272.2), ("vitamin_c_mg", 64.0)):
        close(a.nutrient(key).intake, expected)
    close(a.calcium_phosphorus, 249.3 / 320.4)


def test_judgement_against_the_reference_intakes_and_the_share_of_the_day():
    """Middle class (4 y): EER (1300 + 1250) / 2 = 1275 kcal, protein RNI 30 g; two meals and one
    snack: the meals must supply 70 %."""
    a = _analyse(_foods())
    assert a.share_pct == 70
    energy, protein = a.nutrient("energy_kcal"), a.nutrient("protein_g")
    assert energy.dri == 1275 and protein.dri == 30
    close(energy.pct_of_dri, 584.6 / 1275 * 100)  # 45.9 %
    assert energy.status == nutrition.LOW
    close(protein.pct_of_dri, 21.11 / 30 * 100)  # 70.4 %: just enough
    assert protein.status == nutrition.ADEQUATE
    assert "《中国居民膳食营养素参考摄入量（2013版）》" in energy.dri_source
    sources = {r.key: r for r in a.energy_sources}
    close(sources["protein"].value, 21.11 * 4 / 584.6 * 100)  # 14.4 %
    close(sources["fat"].value, 18.07 * 9 / 584.6 * 100)  # 27.8 % < 30
    close(sources["carbohydrate"].value, 85.63 * 4 / 584.6 * 100)  # 58.6 %
    assert [sources[k].status for k in ("protein", "fat", "carbohydrate")] == ["adequate", "low", "adequate"]
    assert sources["fat"].source_status == "UNCONFIRMED"
    close(a.high_quality_protein.value, (6.6 + 5.24 + 12.18) / 42.22 * 100)  # 56.9 %
    assert a.high_quality_protein.status == nutrition.ADEQUATE


def test_energy_split_across_meals_and_food_groups():
    a = _analyse(_foods())
    meals = {r.key: r for r in a.meals}
    assert set(meals) == {"breakfast", "lunch"}  # no supper served: 30/40 renormalised
    close(meals["breakfast"].value, 185.6 / 1169.2 * 100)
    close(meals["breakfast"].low, 30 / 70 * 100 - 5)
    assert meals["breakfast"].status == "low" and meals["lunch"].status == "high"
    groups = {r.key: r for r in a.groups}
    close(groups["milk"].value, 100)  # 200 g ÷ 2 days
    close(groups["milk"].low, 350 * 0.7)  # pagoda 4–5 y 350–500 g × 70 %
    assert groups["milk"].status == "low"
    close(groups["vegetables"].value, 106.4)  # raw weight, as the pagoda counts
    assert groups["salt"].low is None and groups["salt"].status == "adequate"


def test_missing_values_are_reported_not_counted_as_zero():
    a = _analyse(_foods())
    assert a.nutrient("vitamin_a_ug").missing == ["豆油"]
    assert a.nutrient("vitamin_c_mg").missing == ["豆油"]
    assert a.nutrient("energy_kcal").missing == []
    foods = _foods()
    foods["oil"] = nutrition.FoodData(id=99, name="无数据油", group="oil", values={"fat_g": 99.9})
    b = _analyse(foods)
    assert b.missing_foods == ["无数据油"]
    assert b.nutrient("energy_kcal").missing == ["无数据油"]
    close(b.nutrient("energy_kcal").intake, (1169.2 - 179.8) / 2)
    assert any("无数据油" in advice for advice in b.advice)


def test_plain_language_advice_names_the_figure_and_the_remedy():
    a = _analyse(_foods())
    text = " ".join(a.advice)
    assert "Energy is 46 % of the reference intake, below the 70 % the meals must supply" in text
    assert "Energy from Fat is 28 %, below the 30–35 % range." in text
    foods = _foods()
    foods["egg"] = nutrition.FoodData(id=98, name="面筋", group="cereals", values=TABLE["egg"][2])
    foods["pork"] = nutrition.FoodData(id=97, name="面筋2", group="cereals", values=TABLE["pork"][2])
    low_hq = _analyse(foods)
    assert low_hq.high_quality_protein.status == "low"
    assert "Protein from animal and soy foods is 16 %, below 50 %: add" in " ".join(low_hq.advice)


def test_overrides_and_boarding_change_the_targets():
    a = _analyse(_foods(), care_type="boarding")
    assert a.share_pct == 90
    assert a.nutrient("protein_g").status == "low"
    own = build_rules({"share.full_day_two_meals": (60, "区妇幼保健所 2026 年通知")})
    b = _analyse(_foods(), rules=own)
    assert b.share_pct == 60 and b.share_source["status"] == "kindergarten"
    assert b.share_source["source"] == "区妇幼保健所 2026 年通知"


def test_toddlers_use_the_three_year_row_and_large_class_the_five_year_row():
    assert _analyse(_foods(), age=2).nutrient("energy_kcal").dri == 1225
    assert _analyse(_foods(), age=5).nutrient("energy_kcal").dri == 1350
    assert _analyse(_foods(), age=2).nutrient("calcium_mg").dri == 600
    assert _analyse(_foods(), age=5).nutrient("calcium_mg").dri == 800


@pytest.mark.django_db
def test_the_shipped_table_gives_the_same_result():
    from houqin.canteen.selectors import food_data

    codes = {"rice": RICE, "egg": EGG, "milk": MILK, "greens": GREENS, "pork": PORK, "oil": OIL}
    foods = {k: food_data(food(code)) for k, code in codes.items()}
    a = _analyse(foods)
    close(a.nutrient("energy_kcal").intake, 584.6)
    close(a.nutrient("protein_g").intake, 21.11)
    assert a.nutrient("vitamin_a_ug").missing == ["豆油"]
    assert foods["rice"].group == "cereals" and foods["pork"].group == "meat"
