"""The reply benchmark's generator and scorer (``python -m bot bench replies``), run over the
shipped guides: no reply is read as its opposite, and enough are read right."""

from __future__ import annotations

from bench.replies import Case, all_cases, hand_written, run, shipped_flows, step_cases
from bot.engine.catalog import Catalog


def test_the_benchmark_meets_its_targets() -> None:
    flows = shipped_flows()
    report = run(flows, all_cases(flows))
    assert report["total"] >= 5000
    assert report["inverted"] == 0, [f for f in report["failures"] if f["verdict"] == "inverted"]
    assert report["correct"] / report["total"] >= 0.92, report["per_kind"]
    assert report["done_repeated"] == 0


def test_every_step_of_every_guide_is_covered() -> None:
    flows = shipped_flows()
    catalog = Catalog(flows)
    for compiled in catalog.flows.values():
        for step in compiled.flow.steps:
            if step.end is None:
                kinds = {c.kind for c in step_cases(compiled, step.id)}
                assert {"done", "trouble", "stuck", "off_topic"} <= kinds, step.id
                if step.buttons:
                    assert "button" in kinds, step.id


def test_an_inverted_press_is_counted_as_such() -> None:
    """The scorer tells an inversion from other mistakes (a benchmark that cannot fail is no
    benchmark): a "no" case whose expected button is swapped with its opposite."""
    flows = shipped_flows()
    case = Case("vneid_documents", "need_level2", "co muc 2 roi", "test", "b1",
                inverted=frozenset({"b0"}))
    assert run(flows, [case])["inverted"] == 1


def test_the_hand_written_part_names_real_steps() -> None:
    catalog = Catalog(shipped_flows())
    cases = hand_written()
    assert len(cases) >= 60
    for case in cases:
        assert case.step_id in catalog.flows[case.flow_id].steps, case
