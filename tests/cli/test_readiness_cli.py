"""The issue-17 command line, kept exactly: ``lab add``, ``lvef add``, ``dose check``,
``patient update`` and ``dose given --override`` under off, warn and enforce.

The clinic (conftest): A1 on EBC (cycle 1 given 2 March 2026), B2 on MBC from Tuesday
3 March 2026 09:00 in Chair 2 (infusion planned 09:15)."""

from __future__ import annotations

import json

import pytest

from .conftest import db_hash
from .targets import rows

KEYS = {"verdict", "reasons", "results", "lvef_due", "proposed_mg_per_kg"}


def good_labs(cli, mrn: str = "B2", at: str = "2026-03-02T10:00", platelets: str = "210000"):
    for test, value, uln in (("ast", "25", "40"), ("alt", "22", "40"), ("bilirubin", "0.5", "1.2")):
        assert cli("lab", "add", "--mrn", mrn, "--test", test, "--value", value, "--uln", uln,
                   "--at", at).code == 0  # fmt: skip
    assert cli("lab", "add", "--mrn", mrn, "--test", "platelets", "--value", platelets,
               "--at", at).code == 0  # fmt: skip
    assert cli("lvef", "add", "--mrn", mrn, "--percent", "60", "--at", "2026-02-25T10:00",
               "--modality", "muga").code == 0  # fmt: skip


def check(cli, mrn: str = "B2", cycle: str = "1") -> dict:
    result = cli("dose", "check", "--mrn", mrn, "--cycle", cycle, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_course_without_results_is_missing_with_exactly_the_contract_keys(cli, clinic) -> None:
    body = check(cli)
    assert set(body) == KEYS
    assert body["verdict"] == "missing" and body["proposed_mg_per_kg"] is None
    assert body["results"] == [] and body["lvef_due"] == "2026-03-03"
    assert all(set(r) == {"rule", "text"} for r in body["reasons"])


def test_ready_with_results_used_and_lvef_as_a_test(cli, clinic) -> None:
    good_labs(cli)
    body = check(cli)
    assert body["verdict"] == "ready"
    tests = {r["test"]: r for r in body["results"]}
    assert set(tests) == {"ast", "alt", "bilirubin", "platelets", "lvef"}
    assert tests["lvef"]["uln"] is None and tests["lvef"]["value"] == 60
    assert tests["ast"]["uln"] == 40 and set(tests["ast"]) == {"test", "value", "uln", "at"}
    assert body["lvef_due"] == "2026-05-20"  # 12 weeks after 25 February


def test_worked_example_hold_then_reduce_exit_0(cli, clinic) -> None:
    good_labs(cli)
    cli("lab", "add", "--mrn", "B2", "--test", "ast", "--value", "240", "--uln", "40",
        "--at", "2026-03-02T11:00")  # fmt: skip
    body = check(cli)
    assert (body["verdict"], body["proposed_mg_per_kg"]) == ("hold", 3.0)
    assert "ast-grade-3" in [r["rule"] for r in body["reasons"]]
    good_labs(cli, at="2026-03-09T10:00")
    cli("lab", "add", "--mrn", "B2", "--test", "ast", "--value", "80", "--uln", "40",
        "--at", "2026-03-09T11:00")  # fmt: skip
    body = check(cli)
    assert (body["verdict"], body["proposed_mg_per_kg"]) == ("reduce", 3.0)
    text = cli("dose", "check", "--mrn", "B2", "--cycle", "1")
    assert text.code == 0 and "reduce" in text.out


def test_ebc_says_its_table_is_unverified(cli, clinic) -> None:
    good_labs(cli, mrn="A1", at="2026-03-22T10:00")
    body = check(cli, mrn="A1", cycle="2")
    assert "ebc-table-unverified" in [r["rule"] for r in body["reasons"]]
    assert body["verdict"] not in ("hold", "reduce", "stop")


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["lab", "add", "--test", "ggt", "--value", "3", "--uln", "4"], "test"),
        (["lab", "add", "--test", "ast", "--value", "-3", "--uln", "40"], "value"),
        (["lab", "add", "--test", "ast", "--value", "0", "--uln", "40"], "value"),
        (["lab", "add", "--test", "ast", "--value", "high", "--uln", "40"], "value"),
        (["lab", "add", "--test", "ast", "--value", "30"], "uln"),
        (["lab", "add", "--test", "alt", "--value", "30", "--uln", "0"], "uln"),
        (["lab", "add", "--test", "bilirubin", "--value", "1", "--uln", "x"], "uln"),
        (["lab", "add", "--test", "platelets", "--value", "-45000"], "value"),
        (["lvef", "add", "--percent", "4"], "percent"),
        (["lvef", "add", "--percent", "96"], "percent"),
        (["lvef", "add", "--percent", "abc"], "percent"),
        (["lvef", "add", "--percent", "55", "--modality", "mri"], "modality"),
    ],
)
def test_bad_values_exit_2_naming_the_field_db_unchanged(cli, clinic, argv, field) -> None:
    before = db_hash(clinic)
    result = cli(*argv[:2], "--mrn", "B2", *argv[2:], "--at", "2026-03-02T10:00")
    assert result.code == 2
    assert result.err.count("\n") == 1 and field in result.err
    assert db_hash(clinic) == before


def test_bad_at_and_unknown_patient(cli, clinic) -> None:
    before = db_hash(clinic)
    assert cli("lab", "add", "--mrn", "B2", "--test", "ast", "--value", "3", "--uln", "4",
               "--at", "yesterday").code == 2  # fmt: skip
    assert "mrn" in cli("lvef", "add", "--mrn", "ZZ", "--percent", "55", "--at",
                        "2026-03-02T10:00").err  # fmt: skip
    assert db_hash(clinic) == before


def test_results_are_audited(cli, clinic) -> None:
    good_labs(cli)
    actions = [r[0] for r in rows(clinic, "SELECT action FROM audit_log")]
    assert actions.count("record lab result") == 4 and actions.count("record LVEF") == 1


def given(cli, *extra: str):
    return cli("dose", "given", "--mrn", "B2", "--cycle", "1", "--at", "2026-03-03T09:15", *extra)


def test_enforce_refuses_dose_given_naming_the_verdict(cli, clinic) -> None:
    assert cli("settings", "set", "readiness_gate", "enforce").code == 0
    before = db_hash(clinic)
    refused = given(cli)
    assert refused.code == 2 and "missing" in refused.err and refused.err.count("\n") == 1
    assert db_hash(clinic) == before
    assert given(cli, "--override", " ").code == 2
    assert db_hash(clinic) == before
    done = given(cli, "--override", "labs at the outside clinic")
    assert done.code == 0, done.err
    assert rows(clinic, "SELECT reason, clinician, action FROM readiness_overrides") == [
        ("labs at the outside clinic", "nurse.kim", "dose given")
    ]
    assert "override readiness" in [r[0] for r in rows(clinic, "SELECT action FROM audit_log")]


def test_enforce_lets_a_ready_dose_through(cli, clinic) -> None:
    good_labs(cli)
    cli("settings", "set", "readiness_gate", "enforce")
    result = given(cli)
    assert result.code == 0 and result.err == ""


def test_warn_prints_the_verdict_on_stderr_and_proceeds(cli, clinic) -> None:
    result = given(cli)
    assert result.code == 0 and "missing" in result.err and "readiness" in result.err


def test_off_checks_nothing(cli, clinic) -> None:
    cli("settings", "set", "readiness_gate", "off")
    result = given(cli)
    assert result.code == 0 and result.err == ""


def test_prep_reconstitute_under_enforce(cli, clinic) -> None:
    cli("settings", "set", "readiness_gate", "enforce")
    argv = ("prep", "reconstitute", "--mrn", "B2", "--cycle", "1", "--at", "2026-03-03T07:30")
    before = db_hash(clinic)
    refused = cli(*argv)
    assert refused.code == 2 and "missing" in refused.err
    assert db_hash(clinic) == before
    assert cli(*argv, "--override", "pharmacist checked the outside labs").code == 0


def test_settings_show_and_set(cli, clinic) -> None:
    shown = json.loads(cli("settings", "show", "--json").out)
    assert (shown["readiness_gate"], shown["lab_freshness_days"], shown["lvef_interval_weeks"]) == (
        "warn", 3, 12)  # fmt: skip
    before = db_hash(clinic)
    for key, value in (("readiness_gate", "strict"), ("lab_freshness_days", "0"),
                       ("lvef_interval_weeks", "x")):  # fmt: skip
        result = cli("settings", "set", key, value)
        assert result.code == 2 and key in result.err
    assert db_hash(clinic) == before
    assert cli("settings", "set", "lab_freshness_days", "5").code == 0
    assert json.loads(cli("settings", "show", "--json").out)["lab_freshness_days"] == 5


def test_patient_update(cli, clinic) -> None:
    good_labs(cli)
    before = db_hash(clinic)
    assert cli("patient", "update", "--mrn", "B2").code == 2
    bad = cli("patient", "update", "--mrn", "B2", "--weight-kg", "heavy")
    assert bad.code == 2 and "weight_kg" in bad.err
    assert cli("patient", "update", "--mrn", "B2", "--name", " ").code == 2
    assert db_hash(clinic) == before
    result = cli(
        "patient", "update", "--mrn", "B2", "--weight-kg", "55", "--name", "Bea Cruz-Ortiz"
    )
    assert result.code == 0 and "recalculate" in result.out  # 61.5 -> 55 kg: -10.6%
    rules = [r["rule"] for r in check(cli)["reasons"]]
    assert "weight-recalculate" in rules
    shown = json.loads(cli("course", "show", "--mrn", "B2", "--json").out)
    assert shown["name"] == "Bea Cruz-Ortiz"
