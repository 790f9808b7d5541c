"""Moderator commands, and everyone else being refused by each command and button."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.archive import SnapshotArchive
from bot.domain import Status
from bot.snapshot import verify
from tests.adapters.discord.conftest import (
    CONSOLE_MOD,
    Bot,
    Server,
    approved_signatures,
    pending_signature,
)
from tests.fakes.fake_discord import CallbackType, FakeMember

REFUSED = "Only moderators can do that."


async def test_pending_lists_the_queue_privately(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist, {"role": "Singer"})
    await bot.sign(server.drummer)

    callback = await bot.command("pending", server.moderator)

    assert callback.ephemeral
    [embed] = callback.data["embeds"]
    assert embed["title"] == "2 waiting for approval"
    assert embed["description"].splitlines() == [
        f"#1 awaits approval: Alice Artist, Singer (from discord:{server.home.id})",
        f"#2 awaits approval: Dan Drums (from discord:{server.home.id})",
    ]


async def test_pending_when_the_queue_is_empty(bot: Bot, server: Server) -> None:
    callback = await bot.command("pending", server.admin)
    assert callback.data["embeds"][0]["description"] == "No signatures are waiting for approval."


async def test_approve_several_and_their_cards_follow(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    await bot.sign(server.drummer)
    cards = [await bot.card(1), await bot.card(2)]

    callback = await bot.command("approve", server.moderator, signature="1 #2 7")

    assert callback.ephemeral
    assert callback.content == (
        "#1 approved: Alice Artist.\n#2 approved: Dan Drums.\nThere is no signature #7."
    )
    assert await bot.service.count() == 2
    await bot.drain()  # the card updates written with the decisions
    for card in cards:
        assert card.components == []
        assert card.embeds[0]["title"].endswith(" approved")


async def test_approve_suggests_pending_signatures_to_moderators(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist, {"role": "Singer"})
    await bot.sign(server.drummer)

    ref = await server.fake.send_autocomplete(
        "approve", user=server.moderator, channel=server.general, focused="signature", value="dan"
    )
    callback = await server.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.AUTOCOMPLETE_RESULT
    assert callback.choices == [{"name": "#2 Dan Drums", "value": "2"}]

    ref = await server.fake.send_autocomplete(
        "reject", user=server.admin, channel=server.general, focused="signature", value=""
    )
    callback = await server.fake.wait_for_callback(ref)
    assert callback.choices == [
        {"name": "#1 Alice Artist — Singer", "value": 1},
        {"name": "#2 Dan Drums", "value": 2},
    ]


async def test_autocomplete_shows_non_moderators_nothing(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    ref = await server.fake.send_autocomplete(
        "approve", user=server.drummer, channel=server.general, focused="signature", value=""
    )
    assert (await server.fake.wait_for_callback(ref)).choices == []


async def test_reject_with_a_reason(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    card = await bot.card(1)

    callback = await bot.command("reject", server.moderator, signature=1, reason="Not a musician")

    assert callback.ephemeral
    assert callback.content == "#1 rejected. The signer will be told why."
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.REJECTED and sig.reason == "Not a musician"
    await bot.drain()
    assert card.components == []
    assert card.embeds[0]["title"] == "Signature #1 rejected"


async def test_reject_of_a_decided_signature_says_who_decided(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    await bot.service.approve(CONSOLE_MOD, [1])
    callback = await bot.command("reject", server.moderator, signature=1, reason="Spam")
    assert callback.content == "Signature #1 is already approved by mod."


async def test_remove_takes_an_approved_signature_off(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    await bot.click(await bot.card(1), "pledge:approve:1", server.moderator)

    callback = await bot.command("remove", server.admin, signature=1, reason="Impersonation")

    assert callback.content == "#1 removed from the letter. That account cannot sign again."
    assert await bot.service.count() == 0
    # Told at once, before a form to fill in.
    again = await bot.command("sign", server.artist)
    assert again.ephemeral and again.modal is None
    assert again.content is not None and "was removed by a moderator" in again.content


async def test_export_attaches_a_private_file(bot: Bot, server: Server) -> None:
    await approved_signatures(bot.service, 2)

    as_csv = await bot.command("export", server.moderator, format="csv")
    assert as_csv.ephemeral
    [upload] = as_csv.files
    assert upload.filename.startswith("signatures-") and upload.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(upload.data.decode())))
    assert [r["name"] for r in rows] == ["Signer 00", "Signer 01"]

    as_json = await bot.command("export", server.moderator, format="json")
    [upload] = as_json.files
    assert upload.filename.endswith(".json")
    assert json.loads(upload.data)["approved"] == 2


async def test_audit_shows_the_latest_actions(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    await bot.command("reject", server.moderator, signature=1, reason="Not **a** musician")

    callback = await bot.command("audit", server.moderator, entries=5)

    assert callback.ephemeral
    [line] = callback.data["embeds"][0]["description"].splitlines()
    when, entry = line.split(" ", 1)
    assert re.fullmatch(r"<t:\d+:f>", when)
    assert entry == (
        f"Mira Mod (discord:{server.moderator.id}): **reject** #1 — Not \\*\\*a\\*\\* musician"
    )


MODERATOR_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("pending", {}),
    ("approve", {"signature": "1"}),
    ("reject", {"signature": 1, "reason": "no"}),
    ("remove", {"signature": 1, "reason": "no"}),
    ("export", {"format": "csv"}),
    ("audit", {}),
    ("snapshot", {}),
]


@pytest.mark.parametrize(
    ("name", "options"), MODERATOR_COMMANDS, ids=[c for c, _ in MODERATOR_COMMANDS]
)
@pytest.mark.parametrize("who", ["member", "other-server-admin"])
async def test_non_moderators_are_refused_every_command(
    bot: Bot, server: Server, name: str, options: dict[str, Any], who: str
) -> None:
    """Even with the command visible (an admin can unhide it), nothing changes."""
    await bot.sign(server.artist)
    user, channel = (
        (server.drummer, server.general)
        if who == "member"
        else (server.community_admin, server.community_channel)
    )

    callback = await bot.command(name, user, channel, **options)

    assert callback.ephemeral
    assert callback.content == REFUSED
    assert callback.files == ()
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.PENDING
    assert await bot.service.audit(CONSOLE_MOD) == []


@pytest.mark.parametrize("button", ["approve", "reject"])
@pytest.mark.parametrize("who", ["artist", "drummer"])
async def test_non_moderators_are_refused_every_card_button(
    bot: Bot, server: Server, button: str, who: str
) -> None:
    await bot.sign(server.artist)
    card = await bot.card(1)
    before = (card.edit_count, card.embeds, card.custom_ids())
    user: FakeMember = getattr(server, who)

    callback = await bot.click(card, f"pledge:{button}:1", user)

    assert callback.type is CallbackType.CHANNEL_MESSAGE  # a private note, not a form
    assert callback.ephemeral
    assert callback.content == REFUSED
    assert (card.edit_count, card.embeds, card.custom_ids()) == before
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.PENDING
    assert await bot.service.audit(CONSOLE_MOD) == []


async def test_manage_server_moderates_only_in_the_home_server(bot: Bot, server: Server) -> None:
    sig_id = await pending_signature(bot.service, server.drummer, "Dan Drums")
    refused = await bot.command(
        "approve", server.community_admin, server.community_channel, signature=str(sig_id)
    )
    assert refused.content == REFUSED
    allowed = await bot.command("approve", server.admin, signature=str(sig_id))
    assert allowed.content == f"#{sig_id} approved: Dan Drums."


async def test_snapshot_records_a_verifiable_snapshot(
    bot: Bot, server: Server, tmp_path: Path
) -> None:
    archive = SnapshotArchive(
        bot.service.store, bot.service.letter, tmp_path / "snaps", bot.service.clock,
        "https://letter.example",
    )  # fmt: skip
    bot.service.snapshots = archive
    await bot.sign(server.artist)
    await bot.command("approve", server.moderator, signature="1")

    callback = await bot.command("snapshot", server.moderator)

    assert callback.ephemeral
    latest = await bot.service.store.latest_snapshot()
    assert latest is not None and latest.approved == 1
    assert callback.content == (
        f"Snapshot recorded: 1 signature, 1 listed by name. SHA-256 {latest.sha256}. "
        f"Published at https://letter.example/snapshots/{latest.sha256}.json"
    )
    assert verify(archive.path_of(latest.sha256).read_bytes()).ok
