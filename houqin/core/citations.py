"""Rule sources as a page names them.

Every rule figure ships in an area's data/*.json with its "source": the provenance note for the
people who keep the data (where the figure was read, how sure we are). Next to it, "title" names the
text in Chinese the way a kindergarten cites it — 《托儿所幼儿园卫生保健工作规范》（2012）, 本园规定 —
and that is what pages show: `{{ figure.source|cite }}` (core's hq template library).
"""

import json
from functools import lru_cache
from pathlib import Path

from django.apps import apps


def _walk(node, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("source"), str) and isinstance(node.get("title"), str):
            out.setdefault(node["source"], node["title"])
        for value in node.values():
            _walk(value, out)
    elif isinstance(node, list):
        for value in node:
            _walk(value, out)


@lru_cache(maxsize=1)
def titles() -> dict[str, str]:
    """{provenance note: the title pages show}, from every app's data/*.json."""
    out: dict[str, str] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("houqin."):
            continue
        for path in sorted((Path(config.path) / "data").glob("*.json")):
            _walk(json.loads(path.read_text(encoding="utf-8")), out)
    return out


def cite(source) -> str:
    """The title of a shipped rule's source; a source a kindergarten typed itself, as it is."""
    if not source:
        return ""
    text = str(source)
    return titles().get(text) or titles().get(text.strip()) or text
