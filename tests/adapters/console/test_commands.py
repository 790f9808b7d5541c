"""The console's replies to typed arguments come from the core's parsers and wording, like
Telegram's (tests/core/test_typed_commands.py tests the parsers themselves)."""

from __future__ import annotations

from dataclasses import replace

from adapters.console.commands import ConsoleCommands, Session
from bot.service import PledgeService
from bot.texts import command_help
from tests.conftest import LETTER, ServiceFactory

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
    for entry in command_help.COMMANDS:
        assert str(entry.summary) in shown, entry.name
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


async def test_one_person_links_two_accounts_and_holds_one_signature(
    service: PledgeService,
) -> None:
    console = ConsoleCommands(service)
    ann, ann2, mod = Session("ann", MODS), Session("ann2", MODS), Session("mod", MODS)
    await console.handle(ann, "/sign Ann")
    offered = await console.handle(ann, "/link")
    code = offered.split()[4].rstrip(".")
    assert offered == (
        f"Your linking code is {code}. Within 10 minutes, send /link {code} from your other "
        "account, on any platform, to link the two: you then hold one signature between them, "
        "and either can check or withdraw it. Keep the code to yourself."
    )
    assert await console.handle(ann2, "/link nonsense") == (
        "That is not a linking code: codes look like 7KQ2M-9XD4T. Send /link on your other "
        "account to get one."
    )
    assert await console.handle(ann2, f"/link {code.lower()}") == (
        "Linked: this account now goes with console:ann. You hold one signature between them; "
        "/status and /withdraw work from any of them, and /unlink undoes the link."
    )
    assert await console.handle(ann2, f"/link {code}") == (
        "That code does not work: it may be mistyped, already used, or older than 10 minutes. "
        "Send /link on your other account for a new one."
    )
    assert await console.handle(ann2, "/sign Ann Again") == (
        "You have already signed: signature #1 is awaiting approval. "
        "Use /status to see it or /withdraw to take it back."
    )
    assert await console.handle(ann2, "/status") == (
        "Signature #1: Ann\nStatus: awaiting a moderator's approval.\nLinked accounts: console:ann."
    )
    assert await console.handle(mod, "/pending") == (
        "#1 awaits approval: Ann (from console)\n  Linked accounts: console:ann2.\n"
        "Decide with /approve ID… or /reject ID… REASON."
    )
    assert await console.handle(ann2, "/withdraw") == "Signature #1 is withdrawn."
    assert await console.handle(ann, "/unlink") == (
        "Unlinked: this account no longer goes with console:ann2. A signature made from this "
        "account stays with it."
    )
    assert await console.handle(ann2, "/unlink") == "This account is not linked to any other."
    assert (await console.handle(ann2, "/status")).startswith("You have not signed yet.")


async def test_linking_two_signed_accounts_says_which_signature_stays(
    service: PledgeService,
) -> None:
    console = ConsoleCommands(service)
    ann, ann2 = Session("ann", MODS), Session("ann2", MODS)
    await console.handle(ann, "/sign Ann")
    await console.handle(ann2, "/sign Ann Two")
    code = (await console.handle(ann2, "/link")).split()[4].rstrip(".")
    assert (await console.handle(ann, f"/link {code}")).endswith(
        "You had signed from both: signature #1 stays, and the later one, #2, is withdrawn."
    )
    assert (await console.handle(ann2, "/status")).startswith(
        "Signature #1: Ann\nStatus: awaiting a moderator's approval."
    )


async def test_moderators_list_and_stop_live_posts(service: PledgeService) -> None:
    """The console posts no letter (it has no chat) but lists and stops the platforms' posts."""
    console = ConsoleCommands(service)
    mod = Session("mod", MODS)
    assert await console.handle(mod, "/posts") == "No letter post is live."
    view = await service.live.prepare(Session("mod", MODS).actor, "telegram", "-100")
    await service.community_seen("telegram:-100", "Night <b>Owls</b> @everyone")
    await service.live.post(
        mod.actor, platform="telegram", chat="-100", message="7", community="telegram:-100",
        shown=view,
    )  # fmt: skip

    listed = await console.handle(mod, "/posts")
    assert listed.splitlines()[0] == "Live letter posts:"
    assert "#1 on Telegram, in Night <b>Owls</b> ＠everyone, since 2026-11-28" in listed
    assert await console.handle(mod, "/unpost #1") == (
        "Live post #1 is stopped: its message stays as it is and is no longer updated."
    )
    assert await console.handle(mod, "/unpost 1") == "There is no live post #1."
    assert await console.handle(mod, "/unpost one") == "Give the number of a live post, like 3."
    assert await console.handle(mod, "/posts") == "No letter post is live."
    assert await console.handle(Session("ann", MODS), "/posts") == ("Only moderators can do that.")


async def test_reaffirming_a_changed_letter_by_typing(
    service: PledgeService, make_service: ServiceFactory
) -> None:
    await ConsoleCommands(service).handle(Session("ann", MODS), "/sign Ann | singer")
    changed = make_service(letter=replace(LETTER, closing="Join us, and tell a friend."))
    console = ConsoleCommands(changed)
    ann = Session("ann", MODS)
    assert (await console.handle(ann, "/status")).endswith(
        "Note: you signed an earlier text of the letter. Read the new one with /letter, then "
        "keep your name on it with /reaffirm, or use /withdraw if you no longer agree."
    )
    assert await console.handle(ann, "/reaffirm") == (
        "Thank you: signature #1 now stands on the letter's current text."
    )
    assert await console.handle(ann, "/reaffirm") == (
        "Your signature #1 already stands on the letter's current text: there is nothing to "
        "reaffirm."
    )
    assert "Note:" not in await console.handle(ann, "/status")
