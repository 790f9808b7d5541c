"""Configuration: sources in order, and bad values reported in one readable line, exit 2."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import EXAMPLE, Pledgebot


def test_check_config_of_the_example(pledgebot: Pledgebot, config: Path) -> None:
    result = pledgebot("check-config", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "letter: “No Music For ICE”, 4 demands" in result.stdout
    assert "discord: off (no token)" in result.stdout


def test_invalid_value_names_the_key_and_the_file(pledgebot: Pledgebot, config: Path) -> None:
    config.write_text(config.read_text().replace('approval = "manual"', 'approval = "sometimes"'))
    result = pledgebot("check-config", "--config", str(config))
    assert result.returncode == 2
    assert "signing.approval" in result.stderr and str(config) in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_key_is_reported(pledgebot: Pledgebot, config: Path) -> None:
    config.write_text(config.read_text().replace("[signing]", "[signing]\napprovals = 1"))
    result = pledgebot("run", "--config", str(config))
    assert result.returncode == 2
    assert "signing.approvals: unknown key" in result.stderr


def test_toml_syntax_error(pledgebot: Pledgebot, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[letter\ntitle = 'x'\n")
    result = pledgebot("check-config", "--config", str(bad))
    assert result.returncode == 2 and str(bad) in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_letter(pledgebot: Pledgebot, tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    result = pledgebot("check-config", "--config", str(empty))
    assert result.returncode == 2 and "letter: required" in result.stderr


def test_missing_file(pledgebot: Pledgebot) -> None:
    result = pledgebot("check-config", "--config", "nope.toml")
    assert result.returncode == 2 and "nope.toml not found" in result.stderr


def test_environment_beats_file_and_flags_beat_environment(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    env = {"PLEDGEBOT_SIGNING__APPROVAL": "auto", "PLEDGEBOT_STORAGE__URL": "sqlite:///env.db"}
    result = pledgebot("check-config", "--config", str(config), env=env)
    assert "approval auto" in result.stdout and "storage: sqlite:///env.db" in result.stdout
    flag = pledgebot(
        "check-config", "--config", str(config), "--storage-url", "sqlite:///f.db", env=env
    )
    assert "storage: sqlite:///f.db" in flag.stdout
    bad_env = pledgebot(
        "check-config", "--config", str(config), env={"PLEDGEBOT_MILESTONES__EVERY": "often"}
    )
    assert bad_env.returncode == 2 and "PLEDGEBOT_MILESTONES__EVERY" in bad_env.stderr


def test_config_file_from_environment_and_default_location(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    by_env = pledgebot("check-config", env={"PLEDGEBOT_CONFIG": str(config)})
    assert by_env.returncode == 0 and str(config) in by_env.stdout
    (tmp_path / "config.toml").write_text(EXAMPLE)  # ./config.toml in the working directory
    default = pledgebot("check-config")
    assert default.returncode == 0 and "config file: config.toml" in default.stdout


def test_tokens_are_never_printed(pledgebot: Pledgebot, config: Path) -> None:
    secret = "MTIz.secret-token-value-xyz"
    result = pledgebot(
        "check-config", "--config", str(config), env={"PLEDGEBOT_DISCORD__TOKEN": secret}
    )
    assert "discord: on (token set)" in result.stdout
    assert secret not in result.stdout + result.stderr


def test_bad_milestone_template(pledgebot: Pledgebot, config: Path) -> None:
    config.write_text(config.read_text().replace("{count} artists", "{cuont} artists"))
    result = pledgebot("check-config", "--config", str(config))
    assert result.returncode == 2 and "milestones.message" in result.stderr
    assert "{cuont}" in result.stderr


def test_version(pledgebot: Pledgebot) -> None:
    result = pledgebot("--version")
    assert result.returncode == 0 and result.stdout.startswith("pledgebot ")


def test_newer_database_is_refused(pledgebot: Pledgebot, config: Path, tmp_path: Path) -> None:
    import sqlite3

    assert pledgebot("console", "--config", str(config), stdin="/count\n").returncode == 0
    with sqlite3.connect(tmp_path / "p.db") as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (99)")
    result = pledgebot("console", "--config", str(config), stdin="/count\n")
    assert result.returncode == 1
    assert "schema version 99" in result.stderr and "Traceback" not in result.stderr


def test_shard_ids_must_fit_shard_count(pledgebot: Pledgebot, config: Path) -> None:
    env = {"PLEDGEBOT_DISCORD__SHARD_COUNT": "2", "PLEDGEBOT_DISCORD__SHARD_IDS": "[0, 2]"}
    result = pledgebot("check-config", "--config", str(config), env=env)
    assert result.returncode == 2
    assert "discord: shard_ids must be between 0 and shard_count - 1" in result.stderr
