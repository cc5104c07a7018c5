"""Chinese text helpers: pinyin keys for sorting and initials for search (张三 → zhangsan, zs)."""

import functools
import re

from pypinyin import Style, lazy_pinyin

_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


# Both are pure functions of the text, asked again and again for the same names (the ~1,900 foods of
# the shipped table each time it is loaded, the children of a class): their answers are kept per process.
@functools.lru_cache(maxsize=16384)
def pinyin_key(text: str) -> str:
    """Full pinyin without tones, for sorting names the way Chinese staff expect (by pinyin)."""
    return " ".join(lazy_pinyin(text or "", errors="default")).lower()[:120]


@functools.lru_cache(maxsize=16384)
def pinyin_initials(text: str) -> str:
    """First letters of each syllable (王小明 → wxm), as users type to search."""
    return "".join(p[0] for p in lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="ignore") if p).lower()


def chinese_number(text: str) -> int:
    """The first number in a name, Arabic or Chinese (小三班 → 3, 大十二班 → 12, 中2班 → 2); 0 if none."""
    match = re.search(r"\d+", text or "")
    if match:
        return int(match.group())
    match = re.search(r"[一二三四五六七八九十]+", text or "")
    if not match:
        return 0
    digits = match.group()
    if "十" in digits:
        tens, _, ones = digits.partition("十")
        return (_NUMERALS.get(tens, 1) if tens else 1) * 10 + (_NUMERALS.get(ones, 0) if ones else 0)
    value = 0
    for ch in digits:
        value = value * 10 + _NUMERALS[ch]
    return value


def name_search(q: str, *, name_field: str = "name", pinyin_field: str = "name_pinyin", initials_field: str = ""):
    """The one name search of the app, as a Q: Chinese characters (杨月), full pinyin with or without
    spaces (yangyue, yang yue) or syllable initials (yy). `pinyin_field` holds pinyin_key(name);
    `initials_field`, where the model stores pinyin_initials(name), is used too."""
    from django.db.models import F, Q, Value
    from django.db.models.functions import Replace
    from django.db.models.lookups import Contains, Regex

    q = (q or "").strip().lower()[:30]
    if not q:
        return Q()
    cond = Q(**{f"{name_field}__icontains": q})
    if q.isascii() and q.replace(" ", "").isalpha():
        compact = q.replace(" ", "")
        cond |= Q(Contains(Replace(F(pinyin_field), Value(" "), Value("")), compact))
        if initials_field:
            cond |= Q(**{f"{initials_field}__startswith": compact})
        if len(compact) <= 6:
            cond |= Q(Regex(F(pinyin_field), "^" + " ".join(f"{c}[a-z]*" for c in compact)))
    return cond
