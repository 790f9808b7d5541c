"""The fake Discord refuses the command syncs Discord refuses, in every locale."""

from __future__ import annotations

import pytest

from tests.fakes.fake_discord import DiscordAPIError
from tests.fakes.fake_discord.command_rules import check_commands


def _command(name: str = "sign", **extra: object) -> dict[str, object]:
    return {"name": name, "description": "Sign the letter", "type": 1, **extra}


def test_a_localized_command_passes() -> None:
    check_commands(
        [
            _command(
                name_localizations={"es-ES": "firmar", "de": "unterschreiben", "fr": "délier"},
                description_localizations={"es-ES": "Firmar la carta"},
                options=[
                    {
                        "name": "anonymous",
                        "type": 5,
                        "description": "Be counted",
                        "name_localizations": {"pt-BR": "anônimo"},
                    }
                ],
            ),
            _command("letter", name_localizations={"es-ES": "carta"}),
        ]
    )


@pytest.mark.parametrize(
    ("commands", "complaint"),
    [
        ([_command(name_localizations={"es-ES": "Firmar"})], "INVALID_NAME"),
        ([_command(name_localizations={"fr": "signer maintenant"})], "INVALID_NAME"),
        ([_command(name_localizations={"de": "u" * 33})], "INVALID_NAME"),
        ([_command(name_localizations={"es": "firmar"})], "LOCALE_INVALID"),
        ([_command(description_localizations={"fr": "x" * 101})], "BAD_LENGTH"),
        ([_command(description_localizations={"fr": ""})], "BAD_LENGTH"),
        (
            [_command(), _command("letter", name_localizations={"es-ES": "sign"})],
            "DUPLICATE_NAME",
        ),
        (
            [
                _command(name_localizations={"fr": "retirer"}),
                _command("remove", name_localizations={"fr": "retirer"}),
            ],
            "DUPLICATE_NAME",
        ),
        (
            [
                _command(
                    options=[
                        {"name": "a", "type": 3, "description": "A"},
                        {"name": "b", "type": 3, "description": "B", "required": True},
                    ]
                )
            ],
            "REQUIRED_INVALID",
        ),
    ],
)
def test_a_broken_rule_refuses_the_sync(commands: list[dict[str, object]], complaint: str) -> None:
    with pytest.raises(DiscordAPIError) as refused:
        check_commands(commands)
    assert refused.value.status == 400 and refused.value.code == 50035
    assert complaint in str(refused.value.errors)
