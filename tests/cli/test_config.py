"""Configuration: sources in order, and bad values reported in one readable line, exit 2."""

from __future__ import annotations

import re
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
    # Relative paths from the environment or a flag are relative to the current directory.
    assert "approval auto" in result.stdout
    assert f"storage: sqlite:///{tmp_path}/env.db" in result.stdout
    flag = pledgebot(
        "check-config", "--config", str(config), "--storage-url", "sqlite:///f.db", env=env
    )
    assert f"storage: sqlite:///{tmp_path}/f.db" in flag.stdout
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
    text = config.read_text().replace('# message = "{count} artists', 'message = "{cuont} artists')
    config.write_text(text)
    result = pledgebot("check-config", "--config", str(config))
    assert result.returncode == 2 and "milestones.message" in result.stderr
    assert "{cuont}" in result.stderr


def test_the_example_milestone_template_is_accepted(pledgebot: Pledgebot, config: Path) -> None:
    """The example's announcement, uncommented, names the letter's command with {letter}."""
    text = config.read_text().replace('# message = "{count} artists', 'message = "{count} artists')
    assert 'message = "{count} artists' in text and "{letter}" in text
    config.write_text(text)
    assert pledgebot("check-config", "--config", str(config)).returncode == 0


def test_version(pledgebot: Pledgebot) -> None:
    result = pledgebot("--version")
    assert result.returncode == 0 and result.stdout.startswith("pledgebot ")


def test_newer_database_is_refused(pledgebot: Pledgebot, config: Path, tmp_path: Path) -> None:
    import sqlite3

    assert pledgebot("console", "--config", str(config), stdin="/count\n").returncode == 0
    with sqlite3.connect(tmp_path / "p.db") as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (99)")
    result = pledgebot("console", "--config", str(config), stdin="/count\n")
    assert result.returncode == 2  # a configuration matter: another store, or a newer bot
    assert "storage.url: " in result.stderr
    assert "schema version 99" in result.stderr and "Traceback" not in result.stderr


def test_shard_ids_must_fit_shard_count(pledgebot: Pledgebot, config: Path) -> None:
    env = {"PLEDGEBOT_DISCORD__SHARD_COUNT": "2", "PLEDGEBOT_DISCORD__SHARD_IDS": "[0, 2]"}
    result = pledgebot("check-config", "--config", str(config), env=env)
    assert result.returncode == 2
    assert "discord: shard_ids must be between 0 and shard_count - 1" in result.stderr


def test_a_bad_environment_variable_is_named_and_the_file_is_not_blamed(
    pledgebot: Pledgebot, config: Path
) -> None:
    env = {"PLEDGEBOT_MILESTONES__THRESHOLDS": "ten"}
    result = pledgebot("check-config", "--config", str(config), env=env)
    assert result.returncode == 2
    assert "milestones.thresholds" in result.stderr
    assert "environment variable PLEDGEBOT_MILESTONES__THRESHOLDS" in result.stderr
    assert str(config) not in result.stderr and "Traceback" not in result.stderr
    scalar = pledgebot(
        "check-config", "--config", str(config), env={"PLEDGEBOT_SIGNING__APPROVAL": "often"}
    )
    assert scalar.returncode == 2
    assert "signing.approval" in scalar.stderr
    assert "from environment variable PLEDGEBOT_SIGNING__APPROVAL" in scalar.stderr
    assert str(config) not in scalar.stderr


def test_storage_url_errors_exit_2_naming_the_key(pledgebot: Pledgebot, config: Path) -> None:
    for url in ("sqlite:///p.db?mode=rx", "sqlite:///p.db?cache=yes", "sqlite:///"):
        result = pledgebot("console", "--config", str(config), "--storage-url", url)
        assert result.returncode == 2, (url, result.stderr)
        assert result.stderr.startswith("pledgebot: storage.url: "), result.stderr
    copy = pledgebot("copy-store", "--from", "sqlite:///a.db?mode=rx", "--to", "sqlite:///b.db")
    assert copy.returncode == 2 and copy.stderr.startswith("pledgebot: --from: "), copy.stderr


def test_a_relative_sqlite_path_is_beside_the_config_file(
    pledgebot: Pledgebot, tmp_path: Path
) -> None:
    campaign = tmp_path / "campaign"
    campaign.mkdir()
    config = campaign / "config.toml"
    config.write_text(EXAMPLE.replace("sqlite:///pledgebot.db", "sqlite:///letter.db"))
    # The fixture runs the command in tmp_path, not in the config file's folder.
    signed = pledgebot("console", "--config", str(config), stdin="/sign Ada\n/count\n")
    assert signed.returncode == 0, signed.stderr
    assert (campaign / "letter.db").is_file() and not (tmp_path / "letter.db").exists()
    again = pledgebot("console", "--config", "campaign/config.toml", stdin="/status\n")
    assert "Signature #1: Ada" in again.stdout
    check = pledgebot("check-config", "--config", str(config))
    assert f"storage: sqlite:///{campaign}/letter.db: opened" in check.stdout


def test_missing_folders_are_not_created(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/typo/p.db"
    for command in (["run", "--only", "console"], ["console"]):
        result = pledgebot(
            *command, "--config", str(config), "--storage-url", url, stdin="/count\n"
        )
        assert result.returncode == 2, result.stderr
        assert f"storage.url: the folder {tmp_path}/typo does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()
    check = pledgebot("check-config", "--config", str(config), "--storage-url", url)
    assert check.returncode == 2 and f"the folder {tmp_path}/typo does not exist" in check.stdout


def test_check_config_opens_the_store_without_creating_it(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    fresh = pledgebot("check-config", "--config", str(config))
    assert fresh.returncode == 0, fresh.stderr
    assert f"storage: sqlite:///{tmp_path}/p.db: no database yet" in fresh.stdout
    assert not (tmp_path / "p.db").exists()
    pledgebot("console", "--config", str(config), "--as", "mod", stdin="/sign M\n/approve 1\n")
    used = pledgebot("check-config", "--config", str(config))
    assert f"storage: sqlite:///{tmp_path}/p.db: opened; 1 approved signature" in used.stdout
    (tmp_path / "p.db").write_bytes(b"not a database at all, just some bytes" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"p.db{suffix}").unlink(missing_ok=True)
    broken = pledgebot("check-config", "--config", str(config))
    assert broken.returncode != 0 and "configuration OK" not in broken.stdout
    assert "storage: sqlite:///" in broken.stdout and "cannot open it" in broken.stdout


def test_check_config_shows_an_unreachable_server_without_its_password(
    pledgebot: Pledgebot, config: Path
) -> None:
    url = "postgresql://pledge:s3cret-password@127.0.0.1:1/pledge"
    result = pledgebot("check-config", "--config", str(config), "--storage-url", url)
    assert result.returncode == 1
    assert "storage: postgresql://pledge:***@127.0.0.1:1/pledge: cannot open it" in result.stdout
    assert "configuration OK" not in result.stdout
    assert "s3cret-password" not in result.stdout + result.stderr


def test_check_config_warns_about_unset_channels(pledgebot: Pledgebot, config: Path) -> None:
    env = {"PLEDGEBOT_TELEGRAM__TOKEN": "123456:not-checked-here"}
    result = pledgebot("check-config", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    assert "warning: telegram.announce_chat_ids is empty" in result.stdout
    assert "warning: telegram.mod_chat_id is not set" in result.stdout
    assert "warning: discord." not in result.stdout  # Discord is off: nothing to warn about


def test_check_config_shows_the_version_the_bot_stamps(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    import re
    import sqlite3

    text = config.read_text().replace('preamble = """We the', 'preamble = """\n  We the')
    config.write_text(text)
    check = pledgebot("check-config", "--config", str(config))
    shown = re.search(r"version ([0-9a-f]+)", check.stdout)
    assert shown is not None, check.stdout
    pledgebot("console", "--config", str(config), stdin="/sign Ada\n")
    with sqlite3.connect(tmp_path / "p.db") as conn:
        (stamped,) = conn.execute("SELECT letter_version FROM signatures").fetchone()
    conn.close()
    assert stamped == shown.group(1)


def test_check_config_says_which_translations_are_complete(
    pledgebot: Pledgebot, config: Path
) -> None:
    plain = pledgebot("check-config", "--config", str(config))
    config.write_text(
        config.read_text()
        + '\n[letter.translations.es]\ntitle = "Ninguna música para ICE"\npreamble = "P"\n'
        'demands = ["Uno", "Dos", "Tres", "Cuatro"]\nclosing = "C"\n'
        '[letter.translations.de]\ntitle = "Keine Musik für ICE"\ndemands = ["Eins", "Zwei"]\n'
    )
    result = pledgebot("check-config", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "translation es: complete" in result.stdout
    assert (
        "translation de: incomplete (2 of 4 demands, no preamble, no closing): readers of it "
        "see the original until it is complete" in result.stdout
    )
    version = re.compile(r"version ([0-9a-f]+)")
    assert version.findall(result.stdout) == version.findall(plain.stdout)  # not a new version


def test_a_translation_in_an_unknown_language_names_the_table(
    pledgebot: Pledgebot, config: Path
) -> None:
    config.write_text(config.read_text() + '\n[letter.translations.klingon]\ntitle = "X"\n')
    result = pledgebot("check-config", "--config", str(config))
    assert result.returncode == 2
    assert "[letter.translations.klingon]: pledgebot does not speak 'klingon'" in result.stderr
    assert str(config) in result.stderr and "Traceback" not in result.stderr


def test_the_default_language_must_be_one_pledgebot_speaks(
    pledgebot: Pledgebot, config: Path
) -> None:
    text = config.read_text()
    assert 'default_language = "en"' in text
    config.write_text(text.replace('default_language = "en"', 'default_language = "es-ES"'))
    result = pledgebot("check-config", "--config", str(config))
    assert result.returncode == 2
    assert "i18n.default_language" in result.stderr and "write the language as es" in result.stderr
    config.write_text(text.replace('default_language = "en"', 'default_language = "tlh"'))
    result = pledgebot("check-config", "--config", str(config))
    assert result.returncode == 2
    assert "pledgebot does not speak 'tlh'" in result.stderr and "Traceback" not in result.stderr
    config.write_text(text.replace('default_language = "en"', 'default_language = "pt_BR"'))
    assert pledgebot("check-config", "--config", str(config)).returncode == 0


async def test_check_config_on_postgresql_creates_and_migrates_nothing(
    pledgebot: Pledgebot, config: Path
) -> None:
    """An organiser checks the configuration before the first start, or after upgrading
    pledgebot: check-config says what `run` will do, and leaves the database as it found it."""
    import asyncpg

    from storage.postgres.connection import split_url
    from tests.postgres import fresh_schema, older_schema, schema_version

    async with fresh_schema() as url:
        empty = pledgebot("check-config", "--config", str(config), "--storage-url", url)
        assert empty.returncode == 0, empty.stdout + empty.stderr
        assert "no pledgebot schema yet (`pledgebot run` creates it)" in empty.stdout
        dsn, schema = split_url(url)
        conn = await asyncpg.connect(dsn)
        try:
            created = await conn.fetchval(
                "SELECT count(*) FROM pg_namespace WHERE nspname = $1", schema
            )
        finally:
            await conn.close()
        assert created == 0  # not even the schema

        older = await older_schema(url)
        upgrade = pledgebot("check-config", "--config", str(config), "--storage-url", url)
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        assert f"is at schema version {older} and this pledgebot needs {older + 1}" in (
            upgrade.stdout
        )
        assert "start the bot once (pledgebot run) to upgrade it" in upgrade.stdout
        assert await schema_version(url) == older  # nothing applied


def test_check_config_and_count_show_signatures_per_text(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    """After the letter's text changes, check-config and a moderator's /count say how many
    approved signatures stand on each text; reaffirming moves one onto the current text."""
    pledgebot("console", "--config", str(config), "--as", "mod", stdin="/sign M\n/approve 1\n")
    old = re.search(
        r"version ([0-9a-f]{12})", pledgebot("check-config", "--config", str(config)).stdout
    )
    assert old is not None
    config.write_text(config.read_text().replace('closing = """We will', 'closing = """We shall'))

    check = pledgebot("check-config", "--config", str(config))
    assert "opened; 1 approved signature (0 on the current text, 1 on earlier text " in check.stdout
    assert f"earlier text {old.group(1)} from " in check.stdout
    count = pledgebot("console", "--config", str(config), "--as", "mod", stdin="/count\n")
    assert "Approved signatures by text of the letter:" in count.stdout
    assert f"earlier text {old.group(1)} (from " in count.stdout
    assert "[to mod] The text of “No Music For ICE” has changed since you signed it" in count.stdout

    pledgebot("console", "--config", str(config), "--as", "mod", stdin="/reaffirm\n")
    after = pledgebot("check-config", "--config", str(config))
    assert "opened; 1 approved signature\n" in after.stdout
