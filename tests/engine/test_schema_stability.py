"""The schema stability check (`python -m schema.stability`, run by `make check`): a
breaking change fails it unless announced after a deprecation; dangerous ones are told."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import GraphQLEnumValue, build_schema, print_schema

from schema.stability import main

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "schema.graphql").read_text(encoding="utf-8")
HEADER = "# Changelog\n\n"


def check(tmp_path: Path, current: str, unreleased: str = "", release: str = SDL) -> int:
    (tmp_path / "releases").mkdir(exist_ok=True)
    (tmp_path / "releases" / "2026.12.graphql").write_text(release)
    (tmp_path / "schema.graphql").write_text(current)
    changelog = f"{HEADER}## Unreleased\n\n{unreleased}\n## 2026.12\n\n- First release.\n"
    (tmp_path / "CHANGELOG.md").write_text(changelog)
    return main(
        [
            "--schema",
            str(tmp_path / "schema.graphql"),
            "--releases",
            str(tmp_path / "releases"),
            "--changelog",
            str(tmp_path / "CHANGELOG.md"),
        ]
    )


def without_agency_name() -> str:
    schema = build_schema(SDL)
    del schema.get_type("Agency").fields["name"]  # type: ignore[union-attr]
    return print_schema(schema)


def with_agency_name_deprecated() -> str:
    schema = build_schema(SDL)
    schema.get_type("Agency").fields["name"].deprecation_reason = "Use legalName."  # type: ignore[union-attr]
    return print_schema(schema)


def test_the_committed_schema_keeps_the_last_release():
    done = subprocess.run(
        [sys.executable, "-m", "schema.stability"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 breaking change(s) not announced" in done.stdout


def test_a_removed_field_fails_the_check(tmp_path, capsys):
    assert check(tmp_path, without_agency_name()) == 1
    out = capsys.readouterr().out
    assert "BREAKING: Field Agency.name was removed." in out
    assert "not listed in CHANGELOG.md" in out


def test_a_removal_announced_after_its_deprecation_passes(tmp_path, capsys):
    note = "- Removed `Agency.name`, deprecated since 2026.12: read `Agency.legalName`.\n"
    status = check(tmp_path, without_agency_name(), note, release=with_agency_name_deprecated())
    assert status == 0
    assert "breaking, announced: Field Agency.name was removed." in capsys.readouterr().out


def test_an_announcement_needs_a_deprecation_period(tmp_path, capsys):
    # Listed, but never deprecated in the release: partners had no warning.
    note = "- Removed `Agency.name`, deprecated since 2026.12.\n"
    assert check(tmp_path, without_agency_name(), note) == 1
    assert "was not @deprecated in the last release" in capsys.readouterr().out
    # Deprecated in the release, listed without saying since when.
    bare = "- Removed `Agency.name`.\n"
    assert check(tmp_path, without_agency_name(), bare, with_agency_name_deprecated()) == 1
    assert "without `deprecated since <release>`" in capsys.readouterr().out
    # A listing elsewhere than under Unreleased does not count.
    assert check(tmp_path, without_agency_name(), "", with_agency_name_deprecated()) == 1


def test_a_dangerous_change_is_reported_without_failing(tmp_path, capsys):
    schema = build_schema(SDL)
    role = schema.get_type("Role")
    role.values["AUDITOR"] = GraphQLEnumValue("AUDITOR")  # type: ignore[union-attr]
    assert check(tmp_path, print_schema(schema)) == 0
    assert "dangerous: Enum value Role.AUDITOR was added" in capsys.readouterr().out
