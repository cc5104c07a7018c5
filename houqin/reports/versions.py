"""Redrafting without losing a person's text, and the difference between two versions.

A section is a list of paragraphs (lines). `merge(base, current, fresh)` is a three-way merge per
section, paragraph by paragraph: `base` is the draft the person's edits started from (the last
version drafted from the records), `current` the version as it is now, `fresh` the new draft.
What the person added or changed is kept where they put it; what they deleted stays deleted; the
rest is the fresh draft. A kept paragraph whose drafted original changed in the fresh draft (the
records changed under it) is listed in the section's "review" so the page can ask about it.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from houqin.reports import draft


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def _map(base: list[str], fresh: list[str]) -> tuple[dict[int, int], set[int]]:
    """base index → fresh index for the paragraphs the fresh draft still has (equal), or has in a
    changed wording at the same place (a replaced block of the same length: `changed`)."""
    mapping, changed = {}, set()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, fresh, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                mapping[i1 + k] = j1 + k
                if tag == "replace":
                    changed.add(i1 + k)
    return mapping, changed


def merge_section(base: list[str], current: list[str], fresh: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(paragraphs, kept, review): the fresh draft with the person's paragraphs of `current` kept in
    place; `kept` are those paragraphs, `review` the kept ones whose drafted original changed."""
    if current == base:
        return list(fresh), [], []
    mapping, changed = _map(base, fresh)
    dropped: set[int] = set()  # fresh indexes the person had deleted or rewritten
    after: dict[int, list[str]] = {}  # fresh index (-1: at the top) → the person's paragraphs after it
    kept, review = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, current, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        touched_changed = False
        for i in range(i1, i2):  # base paragraphs the person deleted or rewrote
            if i in mapping:
                dropped.add(mapping[i])
                touched_changed |= i in changed
        if tag in ("insert", "replace"):
            anchor = -1
            for i in range(i1 - 1, -1, -1):
                if i in mapping:
                    anchor = mapping[i]
                    break
            mine = current[j1:j2]
            after.setdefault(anchor, []).extend(mine)
            kept.extend(mine)
            if tag == "replace" and touched_changed:
                review.extend(mine)
    out = list(after.get(-1, []))
    for j, paragraph in enumerate(fresh):
        if j not in dropped:
            out.append(paragraph)
        out.extend(after.get(j, []))
    return out, kept, review


def merge(base: list[dict], current: list[dict], fresh: list[dict]) -> list[dict]:
    """The sections of a redraft: every section of the fresh draft merged with the person's edits,
    and a section only the person's version has kept as it is. Each section gets "kept" and
    "review" (lists of paragraphs) when the person's text was kept."""
    by_key = lambda sections: {s["key"]: s for s in sections}  # noqa: E731
    b, c = by_key(base), by_key(current)
    out = []
    for section in fresh:
        key = section["key"]
        if key not in c:
            out.append(section)
            continue
        text, kept, review = merge_section(paragraphs(b.get(key, {}).get("text", "")),
                                           paragraphs(c[key]["text"]), paragraphs(section["text"]))
        merged = {**section, "text": "\n".join(text)}
        if kept:
            merged["kept"], merged["review"] = kept, review
        out.append(merged)
    fresh_keys = {s["key"] for s in fresh}
    for i, section in enumerate(current):
        if section["key"] not in fresh_keys and section["key"] in b and \
                paragraphs(section["text"]) != paragraphs(b[section["key"]]["text"]):
            out.insert(min(i, len(out)), {**section, "kept": paragraphs(section["text"]), "review": []})
    return out


def diff(old, new) -> list[dict]:
    """Paragraph by paragraph, what changed from version `old` to version `new`: [{key, heading,
    rows: [{op: same|added|removed, text}]}], numbers written out with each version's figures."""
    old_sections = {s["key"]: s for s in old.sections}
    new_keys = [s["key"] for s in new.sections]
    keys = new_keys + [k for k in old_sections if k not in new_keys]
    new_sections = {s["key"]: s for s in new.sections}
    out = []
    for key in keys:
        a = paragraphs(draft.render_text(old_sections.get(key, {}).get("text", ""), old.figures))
        b = paragraphs(draft.render_text(new_sections.get(key, {}).get("text", ""), new.figures))
        rows = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag == "equal":
                rows += [{"op": "same", "text": t} for t in a[i1:i2]]
            else:
                rows += [{"op": "removed", "text": t} for t in a[i1:i2]]
                rows += [{"op": "added", "text": t} for t in b[j1:j2]]
        heading = (new_sections.get(key) or old_sections.get(key))["heading"]
        out.append({"key": key, "heading": heading, "rows": rows,
                    "changed": any(r["op"] != "same" for r in rows)})
    return out
