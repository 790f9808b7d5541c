"""Moderating: mod-queue cards and their buttons, the /pending list, the moderator commands, and
everyone else being refused with nothing changed."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest

from bot.archive import SnapshotArchive
from bot.domain import Actor, Identity, SignatureForm, Status
from bot.i18n import translator
from bot.snapshot import verify
from bot.texts import moderation, rejection
from tests.adapters.telegram.conftest import JSON, Bot, Start
from tests.conftest import MOD
from tests.fakes.fake_telegram import ApiCall, FakeChat, FakeUser, chat_member_api

REFUSAL = "Only moderators can do that."


def _buttons(message: JSON) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def _now(bot: Bot, message: JSON) -> JSON:
    current = bot.fake.message(message["chat"]["id"], message["message_id"])
    assert current is not None
    return current


async def _reasons(bot: Bot, moderator_message: JSON, user: FakeUser, label: str) -> JSON:
    """Press a reject button and wait for the reasons to replace the keyboard."""
    mark = bot.fake.mark()
    await bot.press(user, moderator_message, label)
    await bot.fake.wait_for("editMessageReplyMarkup", since=mark)
    return _now(bot, moderator_message)


async def _card_edit(bot: Bot, card: JSON, *, since: int, ending: str = "") -> JSON:
    """The card once the bot has edited it (so that it ends with ``ending``). A card may be
    edited more than once: by the moderator's button or command, and by the outbox's update."""
    while True:
        call = await bot.fake.wait_for(
            "editMessageText",
            lambda c: (
                c.params["chat_id"] == card["chat"]["id"]
                and c.params["message_id"] == card["message_id"]
            ),
            since=since,
        )
        now = _now(bot, card)
        if now["text"].endswith(ending):
            return now
        since = bot.fake.calls.index(call) + 1


async def test_card_shows_history_and_possible_duplicates(bot: Bot) -> None:
    twin = await bot.sign(bot.bob, "Ada  LOVELACE")
    await bot.approve(twin)
    earlier = await bot.sign(bot.ada, "Ada Lovelace")
    await bot.service.reject(MOD, earlier.id, "please use your artist name")
    again = await bot.sign(bot.ada, "Ada Lovelace", role="composer")
    card = await bot.card(again.id)
    assert card["text"].splitlines() == [
        f"#{again.id} Ada Lovelace, composer",
        "from telegram:private",
        f"earlier #{earlier.id} rejected: please use your artist name",
        f"⚠️ possible duplicate of approved #{twin.id} Ada LOVELACE",
    ]
    assert card["reply_markup"]["inline_keyboard"] == [
        [
            {"text": "✅ Approve", "callback_data": f"pledge:approve:{again.id}:c"},
            {"text": "❌ Reject", "callback_data": f"pledge:reject:{again.id}:c"},
        ]
    ]


@pytest.mark.parametrize("who", ["mod", "admin"])
async def test_approve_button_approves_edits_the_card_and_tells_the_signer(
    bot: Bot, who: str
) -> None:
    moderator = bot.mod if who == "mod" else bot.admin
    sig = await bot.sign(bot.ada, "Ada Lovelace")
    card = await bot.card(sig.id)
    mark = bot.fake.mark()
    answer = await bot.press(moderator, card, "✅ Approve")
    assert answer.params["text"] == f"#{sig.id} approved."
    edited = await _card_edit(bot, card, since=mark)
    assert edited["text"].endswith(f"✅ Approved by {moderator.first_name}")
    assert "reply_markup" not in edited
    notice = await bot.answer(bot.fake.private_chat(bot.ada), since=mark)
    assert bot.sent(notice)["text"] == (
        f"Your signature #{sig.id} on “No Music For ICE” has been approved. Thank you for signing!"
    )
    approved = await bot.signature_of(bot.ada)
    assert approved is not None and approved.status is Status.APPROVED
    # The mod chat's administrators were looked up once (at start-up) and then remembered.
    assert len(bot.fake.calls_to("getChatAdministrators")) == 1


async def test_reject_with_a_canned_reason(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada Lovelace")
    card = await bot.card(sig.id)
    reasons = await _reasons(bot, card, bot.mod, "❌ Reject")
    assert _buttons(reasons) == [
        "Not a real name",
        "Duplicate",
        "Cannot verify",
        "Spam",
        "Other reason…",
        "« Back",
    ]
    assert all(
        len(b["callback_data"].encode()) <= 64
        for row in reasons["reply_markup"]["inline_keyboard"]
        for b in row
    )
    mark = bot.fake.mark()
    answer = await bot.press(bot.mod, reasons, "Spam")
    assert answer.params["text"] == f"#{sig.id} rejected."
    edited = await _card_edit(bot, card, since=mark)
    assert edited["text"].endswith("❌ Rejected by Maud: spam or abuse")
    notice = bot.sent(await bot.answer(bot.fake.private_chat(bot.ada), since=mark))
    assert "was not approved. Reason: spam or abuse." in notice["text"]


async def test_a_canned_reason_reaches_a_spanish_signer_in_spanish(start_bot: Start) -> None:
    """The bot's default language is German (the mod chat's cards), Maud's client speaks
    English and she presses "Spam"; Sofía signed in Spanish and reads the whole notification in
    Spanish, the reason too: it travels as its catalogue key, not as anyone else's wording."""
    bot = await start_bot(language="de")
    sofia = bot.fake.new_user("Sofía", language_code="es")
    chat = bot.fake.private_chat(sofia)
    signer = Actor(Identity("telegram", str(sofia.id)), sofia.first_name)
    result = await bot.service.sign(
        signer, SignatureForm("Sofía Ruiz"), community="telegram:private", language="es"
    )
    sig = result.signature
    card = await bot.card(sig.id)
    german = translator("de")  # the mod chat's cards and buttons
    reasons = await _reasons(bot, card, bot.mod, "❌ " + german.render(moderation.REJECT_LABEL))
    mark = bot.fake.mark()
    await bot.press(bot.mod, reasons, german.render(rejection.REJECTION_REASONS[3].label))
    await _card_edit(bot, card, since=mark, ending=": Spam oder Missbrauch")
    notice = bot.sent(await bot.answer(chat, since=mark))["text"]
    assert notice.startswith(f"Tu firma #{sig.id}")
    assert "spam o abuso" in notice and "spam or abuse" not in notice


async def test_reject_with_a_typed_reason_through_a_forced_reply(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada Lovelace")
    card = await bot.card(sig.id)
    reasons = await _reasons(bot, card, bot.admin, "❌ Reject")
    mark = bot.fake.mark()
    await bot.press(bot.admin, reasons, "Other reason…")
    prompt_call = await bot.answer(bot.mod_chat, since=mark)
    prompt = bot.sent(prompt_call)
    assert prompt["text"] == (
        f"❌ #{sig.id}: Why is it rejected? Adam, reply to this message; the signer will read it."
    )
    assert prompt["entities"] == [
        {
            "type": "text_mention",
            "offset": len(f"❌ #{sig.id}: Why is it rejected? "),
            "length": 4,
            "user": {"id": bot.admin.id, "is_bot": False, "first_name": ""},
        }
    ]
    assert prompt_call.params["reply_markup"]["force_reply"] is True
    assert prompt_call.params["reply_markup"]["selective"] is True
    # The card has its Approve/Reject buttons back meanwhile.
    await bot.fake.wait_for("editMessageText", since=mark)
    assert _buttons(_now(bot, card)) == ["✅ Approve", "❌ Reject"]

    mark = bot.fake.mark()
    done = await bot.say(bot.admin, bot.mod_chat, "Not a musician", reply_to=prompt)
    assert bot.sent(done)["text"] == f"#{sig.id} rejected. The signer will be told why."
    edited = await _card_edit(bot, card, since=mark)
    assert edited["text"].endswith("❌ Rejected by Adam: Not a musician")
    rejected = await bot.signature_of(bot.ada)
    assert rejected is not None and rejected.reason == "Not a musician"


async def test_back_restores_the_decision_buttons(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    reasons = await _reasons(bot, card, bot.mod, "❌ Reject")
    mark = bot.fake.mark()
    await bot.press(bot.mod, reasons, "« Back")
    await bot.fake.wait_for("editMessageText", since=mark)
    assert _buttons(_now(bot, card)) == ["✅ Approve", "❌ Reject"]
    pending = await bot.signature_of(bot.ada)
    assert pending is not None and pending.status is Status.PENDING


async def test_a_stale_button_answers_who_decided_and_refreshes_the_card(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    await bot.approve(sig)  # decided elsewhere (the console), so this card still has buttons
    mark = bot.fake.mark()
    answer = await bot.press(bot.mod, card, "✅ Approve")
    assert answer.params["text"] == f"Signature #{sig.id} is already approved by mod."
    assert answer.params["show_alert"] is True
    refreshed = await _card_edit(bot, card, since=mark)
    assert refreshed["text"].endswith("✅ Approved by mod")
    # Rejecting the stale card by a reason gets the same answer and changes nothing.
    answer = await bot.press_data(
        bot.mod, refreshed, f"pledge:reason:{sig.id}:4:c", check_button=False
    )
    assert answer.params["text"] == f"Signature #{sig.id} is already approved by mod."
    approved = await bot.signature_of(bot.ada)
    assert approved is not None and approved.status is Status.APPROVED


async def test_pending_list_with_buttons_redraws_after_each_decision(bot: Bot) -> None:
    first = await bot.sign(bot.ada, "Ada")
    second = await bot.sign(bot.bob, "Bob <Builder>")
    card = await bot.card(first.id)
    listing = bot.sent(await bot.say(bot.mod, bot.mod_chat, "/pending"))
    assert listing["text"].splitlines()[0] == "Awaiting approval (oldest first, 2):"
    assert f"#{second.id} Bob <Builder>" in listing["text"]
    assert _buttons(listing) == [
        f"✅ #{first.id}",
        f"❌ #{first.id}",
        f"✅ #{second.id}",
        f"❌ #{second.id}",
    ]

    mark = bot.fake.mark()
    await bot.press(bot.mod, listing, f"✅ #{first.id}")
    await _card_edit(bot, listing, since=mark)
    assert _buttons(_now(bot, listing)) == [f"✅ #{second.id}", f"❌ #{second.id}"]
    assert (await _card_edit(bot, card, since=mark, ending="✅ Approved by Maud"))["text"]

    reasons = await _reasons(bot, listing, bot.mod, f"❌ #{second.id}")
    mark = bot.fake.mark()
    await bot.press(bot.mod, reasons, "Duplicate")
    emptied = await _card_edit(bot, listing, since=mark)
    assert emptied["text"] == "No signatures are waiting for approval."
    assert "reply_markup" not in emptied


async def test_approve_command_decides_several_and_updates_their_cards(bot: Bot) -> None:
    one, two = await bot.sign(bot.ada, "Ada"), await bot.sign(bot.bob, "Bob")
    cards = [await bot.card(one.id), await bot.card(two.id)]
    mark = bot.fake.mark()
    reply = bot.sent(await bot.say(bot.mod, None, f"/approve {one.id} #{two.id} 999"))
    assert reply["text"].splitlines() == [
        f"#{one.id} approved: Ada.",
        f"#{two.id} approved: Bob.",
        "There is no signature #999.",
    ]
    for card in cards:
        assert (await _card_edit(bot, card, since=mark, ending="✅ Approved by Maud"))["text"]


async def test_reject_and_remove_commands(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    usage = bot.sent(await bot.say(bot.mod, bot.mod_chat, f"/reject {sig.id}"))["text"]
    assert usage == "Usage: /reject ID… REASON"
    mark = bot.fake.mark()
    done = bot.sent(await bot.say(bot.mod, bot.mod_chat, f"/reject {sig.id} not & <b>real</b>"))
    assert done["text"] == f"#{sig.id} rejected. The signer will be told why."
    assert await _card_edit(bot, card, since=mark, ending="❌ Rejected by Maud: not & <b>real</b>")

    mark = bot.fake.mark()
    removed = bot.sent(await bot.say(bot.admin, bot.mod_chat, f"/remove {sig.id} impersonation"))
    assert removed["text"] == f"#{sig.id} removed from the letter. That account cannot sign again."
    assert await _card_edit(bot, card, since=mark, ending="🗑 Removed by Adam: impersonation")


async def test_export_csv_and_json_as_documents(bot: Bot) -> None:
    await bot.approve(await bot.sign(bot.ada, "Ada Lovelace", role="=cmd()"))
    csv_call = await bot.say(bot.mod, None, "/export csv", method="sendDocument")
    upload = csv_call.files["document"]
    assert upload.filename.startswith("signatures-") and upload.filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(upload.data.decode())))
    assert rows[0][:3] == ["signature", "name", "role"]
    assert rows[1][1:3] == ["Ada Lovelace", "'=cmd()"]

    json_call = await bot.say(bot.admin, bot.mod_chat, "/export json", method="sendDocument")
    data = json.loads(json_call.files["document"].data)
    assert [s["name"] for s in data["signatures"]] == ["Ada Lovelace"]
    usage = bot.sent(await bot.say(bot.mod, None, "/export xml"))["text"]
    assert usage == "Usage: /export csv or /export json"


async def test_audit_lists_moderator_actions(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    await bot.say(bot.mod, None, f"/reject {sig.id} spam")
    text = bot.sent(await bot.say(bot.mod, None, "/audit"))["text"]
    assert text.endswith(f"Maud (telegram:{bot.mod.id}): reject #{sig.id} — spam")
    assert bot.sent(await bot.say(bot.mod, None, "/audit x"))["text"] == (
        "Ask for 1 to 100 entries, like /audit 50."
    )


async def test_moderator_commands_stay_out_of_ordinary_groups(bot: Bot) -> None:
    await bot.sign(bot.ada, "Ada")
    reply = bot.sent(await bot.say(bot.mod, bot.group, "/pending"))["text"]
    assert reply.startswith("Moderator commands work in the mod chat or in a private chat")


MODERATOR_COMMANDS = [
    "/pending",
    "/approve {id}",
    "/reject {id} spam",
    "/remove {id} spam",
    "/export csv",
    "/export",
    "/audit",
    "/snapshot",
]


@pytest.mark.parametrize("where", ["private", "mod_chat", "group"])
@pytest.mark.parametrize("command", MODERATOR_COMMANDS)
async def test_non_moderators_are_refused_every_command(bot: Bot, where: str, command: str) -> None:
    chat: FakeChat | None = {"private": None, "mod_chat": bot.mod_chat, "group": bot.group}[where]
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    mark = bot.fake.mark()
    reply = await bot.say(bot.bob, chat, command.format(id=sig.id))
    assert bot.sent(reply)["text"] == REFUSAL
    await _assert_unchanged(bot, sig.id, card, since=mark)


@pytest.mark.parametrize(
    "data",
    [
        "pledge:approve:{id}:c",
        "pledge:reject:{id}:c",
        "pledge:reason:{id}:4:c",
        "pledge:reason:{id}:0:c",
        "pledge:back:{id}:c",
        "pledge:approve:{id}:l",
        "pledge:reject:{id}:l",
    ],
)
async def test_non_moderators_are_refused_every_button(bot: Bot, data: str) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    mark = bot.fake.mark()
    answer = await bot.press_data(bot.bob, card, data.format(id=sig.id), check_button=False)
    assert answer.params == {
        "callback_query_id": answer.params["callback_query_id"],
        "text": REFUSAL,
        "show_alert": True,
    }
    await _assert_unchanged(bot, sig.id, card, since=mark)


async def test_a_non_moderator_reply_to_a_reason_prompt_is_refused(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    reasons = await _reasons(bot, card, bot.mod, "❌ Reject")
    mark = bot.fake.mark()
    await bot.press(bot.mod, reasons, "Other reason…")
    prompt = bot.sent(await bot.answer(bot.mod_chat, since=mark))
    await bot.fake.wait_for("editMessageText", since=mark)
    restored = _now(bot, card)
    mark = bot.fake.mark()
    refused = await bot.say(bot.bob, bot.mod_chat, "because I say so", reply_to=prompt)
    assert bot.sent(refused)["text"] == REFUSAL
    await _assert_unchanged(bot, sig.id, restored, since=mark)


async def test_a_demoted_administrator_loses_moderation_at_once(bot: Bot) -> None:
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    bot.fake.set_member_status(bot.mod_chat, bot.admin, "member")
    mark = bot.fake.mark()
    update = bot.fake.feed_update(
        {
            "chat_member": {
                "chat": bot.mod_chat.to_api(),
                "from": bot.mod.to_api(),
                "date": int(time.time()),
                "old_chat_member": chat_member_api(bot.admin, "administrator"),
                "new_chat_member": chat_member_api(bot.admin, "member"),
            }
        }
    )
    await bot.fake.wait_for_delivery(update)
    answer = await bot.press(bot.admin, card, "✅ Approve")
    assert answer.params["text"] == REFUSAL
    assert len(bot.fake.calls_to("getChatAdministrators")) == 2  # looked up again
    await _assert_unchanged(bot, sig.id, card, since=mark)


async def _assert_unchanged(bot: Bot, signature_id: int, card: JSON, *, since: int) -> None:
    """Nothing was decided, logged, exported or edited."""
    item = await bot.service.mod_queue.item(signature_id)
    assert item.signature.status is Status.PENDING
    assert await bot.service.audit(MOD) == []
    touched = {"editMessageText", "editMessageReplyMarkup", "sendDocument"}
    assert [c.method for c in bot.fake.calls[since:] if c.method in touched] == []
    now = _now(bot, card)
    assert (now["text"], now.get("reply_markup")) == (card["text"], card.get("reply_markup"))


async def test_a_decision_made_elsewhere_redraws_the_card(bot: Bot) -> None:
    """Decided on Discord, the console or another process: the outbox redraws the card here."""
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    mark = bot.fake.mark()
    await bot.service.reject(MOD, sig.id, "duplicate")  # no Telegram handler involved
    edited = await _card_edit(bot, card, since=mark, ending="❌ Rejected by mod: duplicate")
    assert "reply_markup" not in edited


async def test_moderation_fails_closed_when_the_admins_cannot_be_read(start_bot: Start) -> None:
    """The bot was removed from the mod chat: its administrators can no longer be looked up.
    Once the remembered list is out of date, only moderator_user_ids moderate, and they are
    told once (not on every press)."""
    bot = await start_bot(moderator_cache=0.0)  # every question looks the admins up again
    first = await bot.sign(bot.ada, "Ada")
    card = await bot.card(first.id)
    bot.fake.break_method(
        "getChatAdministrators",
        status=403,
        description="Forbidden: bot was kicked from the supergroup chat",
    )
    mark = bot.fake.mark()
    for _ in range(2):
        answer = await bot.press(bot.admin, card, "✅ Approve")
        assert answer.params["text"] == REFUSAL
    await _assert_unchanged(bot, first.id, card, since=mark)

    def warning(call: ApiCall) -> bool:
        return call.params["chat_id"] == bot.mod.id and "moderator_user_ids" in call.params["text"]

    told = await bot.fake.wait_for("sendMessage", warning, since=mark)
    assert "can no longer see who administers the mod chat" in told.params["text"]
    # The listed moderator still moderates.
    approved = await bot.press(bot.mod, card, "✅ Approve")
    assert approved.params.get("text") != REFUSAL
    await bot.fake.wait_for("editMessageText", since=mark)
    assert (await bot.service.mod_queue.item(first.id)).signature.status is Status.APPROVED
    assert len([c for c in bot.fake.calls[mark:] if c.method == "sendMessage" and warning(c)]) == 1
    # Readable again: the administrator moderates again.
    bot.fake.repair_method("getChatAdministrators")
    second = await bot.sign(bot.bob, "Bob")
    card = await bot.card(second.id)
    answer = await bot.press(bot.admin, card, "✅ Approve")
    assert answer.params.get("text") != REFUSAL


async def test_snapshot_records_a_verifiable_snapshot(bot: Bot, tmp_path: Path) -> None:
    archive = SnapshotArchive(
        bot.service.store, bot.service.letter, tmp_path / "snaps", bot.service.clock
    )
    bot.service.snapshots = archive
    await bot.approve(await bot.sign(bot.ada, "Ada <b>Lovelace</b>"))

    text = bot.sent(await bot.say(bot.mod, bot.mod_chat, "/snapshot"))["text"]

    latest = await bot.service.store.latest_snapshot()
    assert latest is not None
    assert text == f"Snapshot recorded: 1 signature, 1 listed by name. SHA-256 {latest.sha256}."
    assert verify(archive.path_of(latest.sha256).read_bytes()).ok
    names = [
        s["name"] for s in json.loads(archive.path_of(latest.sha256).read_bytes())["signatories"]
    ]
    assert names == ["Ada <b>Lovelace</b>"]


async def test_reject_and_remove_several_at_once(bot: Bot) -> None:
    ada = await bot.sign(bot.ada, "Ada")
    bob = await bot.sign(bot.bob, "Bob")
    cards = [await bot.card(ada.id), await bot.card(bob.id)]
    mark = bot.fake.mark()

    done = bot.sent(await bot.say(bot.mod, None, f"/reject {ada.id} #{bob.id} 999 not musicians"))

    assert done["text"].splitlines() == [
        f"#{ada.id} rejected. The signer will be told why.",
        f"#{bob.id} rejected. The signer will be told why.",
        "There is no signature #999.",
    ]
    for card in cards:
        assert await _card_edit(bot, card, since=mark, ending="❌ Rejected by Maud: not musicians")
    for user in (bot.ada, bot.bob):
        told = await bot.answer(bot.fake.private_chat(user), since=mark)
        assert told.params["text"].endswith("Reason: not musicians. You may sign again with /sign.")

    spam = await bot.approved(2, name="Spam")
    before = await bot.service.count()
    gone = bot.sent(await bot.say(bot.mod, None, f"/remove {spam[0].id},{spam[1].id} spam wave"))
    assert gone["text"].splitlines() == [
        f"#{s.id} removed from the letter. That account cannot sign again." for s in spam
    ]
    assert await bot.service.count() == before - 2
