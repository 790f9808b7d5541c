"""The console's replies to typed arguments come from the core's parsers and wording, like
Telegram's (tests/core/test_typed_commands.py tests the parsers themselves)."""

from __future__ import annotations

from adapters.console.commands import ConsoleCommands, Session
from bot import texts
from bot.service import PledgeService

MODS = frozenset({"mod"})


async def test_demands_typed_wrong_are_explained(service: PledgeService) -> None:
    console = ConsoleCommands(service)
    ann = Session("ann", MODS)
    assert await console.handle(ann, "/demands 2") == "2. Stop the cloud services."
    assert await console.handle(ann, "/demands 9") == "The letter has demands 1 to 4."
    assert await console.handle(ann, "/demands two") == (
        "Usage: /demands, or /demands N for demand number N."
    )


async def test_audit_lengths_are_explained_to_moderators(service: PledgeService) -> None:
    console = ConsoleCommands(service)
    mod = Session("mod", MODS)
    assert await console.handle(mod, "/audit") == "The audit log is empty."
    for typed in ("x", "0", "101"):
        assert await console.handle(mod, f"/audit {typed}") == (
            "Ask for 1 to 100 entries, like /audit 50."
        )


async def test_withdrawing_and_erasing_by_typing(service: PledgeService) -> None:
    console = ConsoleCommands(service)
    ann = Session("ann", MODS)
    await console.handle(ann, "/sign Ann | singer")
    assert await console.handle(ann, "/withdraw") == "Signature #1 is withdrawn."
    assert await console.handle(ann, "/withdraw") == (
        "You have no active signature on this letter. Use /sign to add your name."
    )
    assert await console.handle(ann, "/withdraw erase") == "Your details have been erased."
    assert (await console.handle(ann, "/status")).startswith("Signature #1: (erased)")


async def test_help_lists_the_cores_commands_with_the_consoles_typed_forms(
    service: PledgeService,
) -> None:
    shown = await ConsoleCommands(service).handle(Session("ann", MODS), "/help")
    for entry in texts.COMMANDS:
        assert entry.summary in shown, entry.name
    assert "  /withdraw [erase]            take your signature back, optionally erasing" in shown
    assert "  /sign-anonymous NAME | …     be counted without being listed" in shown


async def test_moderators_reject_and_remove_several_at_once(service: PledgeService) -> None:
    console = ConsoleCommands(service)
    for user in ("ann", "bo", "cy"):
        await console.handle(Session(user, MODS), f"/sign {user.title()}")
    mod = Session("mod", MODS)
    assert await console.handle(mod, "/reject 1 2 7 not artists") == (
        "#1 rejected. The signer will be told why.\n"
        "#2 rejected. The signer will be told why.\n"
        "There is no signature #7."
    )
    assert await console.handle(mod, "/remove 2,3 spam") == (
        "#2 removed from the letter. That account cannot sign again.\n"
        "#3 removed from the letter. That account cannot sign again."
    )
    assert await console.handle(mod, "/reject 1 2") == "Usage: /reject ID… REASON"
    shown = await console.handle(mod, "/help")
    assert "  /reject ID… REASON           reject, telling the signer why" in shown
    assert "  /remove ID… REASON" in shown
