"""build_part: a part of the demo (the organisation and some areas) for benchmarks and tests."""

import random
from types import SimpleNamespace

import pytest

from houqin.org import demo


def test_an_area_comes_with_the_areas_its_demo_reads():
    assert demo.areas_with_needs(["canteen"]) == {"org", "stock", "finance", "assets", "health", "canteen"}
    assert demo.areas_with_needs([]) == {"org"}
    every = {demo._area_of(step) for step in demo.DEMO_STEPS}
    assert demo.areas_with_needs(["reports"]) == every == demo.areas_with_needs(["*"])
    with pytest.raises(ValueError, match="no demo steps"):
        demo.areas_with_needs(["kitchen"])


def test_build_part_runs_the_wanted_steps_in_demo_order_with_the_demos_random_streams(monkeypatch):
    ran = []

    def step(module, name):
        def run(ctx):
            ran.append((name, ctx.rng.random()))
        run.__module__, run.__qualname__ = module, name
        return run

    steps = [step("houqin.canteen.demo", "build_canteen"), step("houqin.safety.demo", "build_safety"),
             step("houqin.stock.demo", "build_stock"), step("houqin.org.demo", "build_deletion_request"),
             step("houqin.health.demo", "build_checks")]
    monkeypatch.setattr(demo, "DEMO_STEPS", steps)
    monkeypatch.setattr(demo, "_discover_steps", lambda: None)
    monkeypatch.setattr(demo, "DEMO_NEEDS", {"canteen": ("stock",)})
    monkeypatch.setattr(demo, "_write", lambda plan, password_hash: SimpleNamespace(rng=None))
    demo.build_part("canteen", seed=7, password_hash="!")
    names = [name for name, _ in ran]
    assert names == ["build_deletion_request", "build_stock", "build_canteen"]  # org first, then app order
    stream = random.Random("7:houqin.stock.demo.build_stock").random()
    assert dict(ran)["build_stock"] == stream  # the same stream as build_demo gives the step
