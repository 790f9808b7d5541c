"""What people type after a command, parsed once in the core for every adapter; and the
moderators' typed commands, which check the moderator before reading a single argument."""

from __future__ import annotations

import pytest

from bot import commands
from bot.domain import Actor, Identity, OutboxKind, SignatureForm, Status
from bot.errors import InvalidInput, NoSuchDemand, NotModerator
from bot.forms import (
    parse_demand,
    parse_export_format,
    parse_id_and_reason,
    parse_ids_and_reason,
    parse_limit,
    parse_page,
)
from bot.limits import AUDIT_DEFAULT, AUDIT_MAX, MAX_BATCH_DECISIONS
from bot.service import PledgeService
from tests.conftest import MOD, artist


@pytest.mark.parametrize(
    ("typed", "number"), [("", None), ("  ", None), ("2", 2), (" 4 ", 4), ("999999999", 999999999)]
)
def test_parse_demand(typed: str, number: int | None) -> None:
    assert parse_demand(typed) == number


@pytest.mark.parametrize("typed", ["two", "-1", "2.5", "1 2", "9999999999", "²"])
def test_a_demand_that_is_not_a_number_is_told_how_to_ask(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_demand(typed)
    assert str(caught.value.message) == "Usage: /demands, or /demands N for demand number N."


def test_which_demands_exist_is_the_services_answer(service: PledgeService) -> None:
    assert [n for n, _ in service.demands()] == [1, 2, 3, 4]
    assert service.demands(parse_demand("2")) == [(2, "Stop the cloud services.")]
    for number in (0, 5, 999999999):
        with pytest.raises(NoSuchDemand) as caught:
            service.demands(number)
        assert str(caught.value.message) == "The letter has demands 1 to 4."


@pytest.mark.parametrize(
    ("typed", "limit"), [("", AUDIT_DEFAULT), ("1", 1), (" 50 ", 50), (str(AUDIT_MAX), AUDIT_MAX)]
)
def test_parse_limit(typed: str, limit: int) -> None:
    assert parse_limit(typed) == limit


@pytest.mark.parametrize("typed", ["0", "-1", "x", str(AUDIT_MAX + 1), "99999999999"])
def test_an_audit_length_out_of_range_is_explained(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_limit(typed)
    assert str(caught.value.message) == f"Ask for 1 to {AUDIT_MAX} entries, like /audit 50."


def test_parse_page() -> None:
    assert (parse_page(""), parse_page("3")) == (1, 3)
    for typed in ("x", "-2", "1234567890"):
        with pytest.raises(InvalidInput) as caught:
            parse_page(typed)
        assert str(caught.value.message) == "The page must be a number, like 2."


def test_parse_id_and_reason() -> None:
    assert parse_id_and_reason("12 not an artist", "reject") == (12, "not an artist")
    assert parse_id_and_reason(" #12\nspam\nand more", "remove") == (12, "spam\nand more")
    for typed in ("", "12", "12   "):
        with pytest.raises(InvalidInput) as caught:
            parse_id_and_reason(typed, "remove")
        assert str(caught.value.message) == "Usage: /remove ID REASON"


def test_parse_export_format() -> None:
    assert (parse_export_format("csv"), parse_export_format(" JSON ")) == ("csv", "json")
    for typed in ("", "xml", "csv json"):
        with pytest.raises(InvalidInput) as caught:
            parse_export_format(typed)
        assert str(caught.value.message) == "Usage: /export csv or /export json"


CAROL = Actor(Identity("console", "carol"), "carol")
TYPED = [
    ("approve", ""),
    ("approve", "x"),
    ("approve", "1"),
    ("reject", ""),
    ("reject", "x spam"),
    ("reject", "1"),
    ("reject", "1 spam"),
    ("remove", "99 spam"),
    ("reject_many", "1 2 spam"),
    ("reject_many", "x"),
    ("remove_many", "1"),
    ("remove_many", "1 2 spam"),
    ("audit", "x"),
    ("audit", "0"),
    ("audit", ""),
]


@pytest.mark.parametrize(("command", "typed"), TYPED)
async def test_a_non_moderator_learns_nothing_from_the_arguments(
    service: PledgeService, command: str, typed: str
) -> None:
    await service.sign(artist(1), SignatureForm("Ann"), community="c")
    run = getattr(commands, command)
    with pytest.raises(NotModerator):
        await run(service, CAROL, typed)
    with pytest.raises(NotModerator):
        commands.export_format(service, CAROL, typed)
    still = (await service.status(artist(1).identity)).signature
    assert still is not None and still.status is Status.PENDING and await service.audit(MOD) == []


async def test_a_moderator_gets_the_argument_errors_and_the_results(
    service: PledgeService,
) -> None:
    await service.sign(artist(1), SignatureForm("Ann"), community="c")
    await service.sign(artist(2), SignatureForm("Bo"), community="c")
    with pytest.raises(InvalidInput) as caught:
        await commands.reject(service, MOD, "1")
    assert str(caught.value.message) == "Usage: /reject ID REASON"
    [decision] = await commands.approve(service, MOD, "#1")
    assert str(decision.describe()) == "#1 approved: Ann."
    rejected = await commands.reject(service, MOD, "2 not an artist")
    assert (rejected.status, rejected.reason) == ("rejected", "not an artist")
    assert [e.action for e in await commands.audit(service, MOD, "")] == ["reject", "approve"]
    assert commands.export_format(service, MOD, "CSV") == "csv"


def test_parse_ids_and_reason() -> None:
    assert parse_ids_and_reason("12 not an artist", "reject") == ([12], "not an artist")
    assert parse_ids_and_reason("3 4 #5 spam\nand more", "remove") == ([3, 4, 5], "spam\nand more")
    assert parse_ids_and_reason("3,4, 5 spam", "reject") == ([3, 4, 5], "spam")
    # The reason starts at the first word that is not a signature number.
    assert parse_ids_and_reason("3 2nd account", "reject") == ([3], "2nd account")
    for typed in ("", "12", "12 4  ", "  \n "):
        with pytest.raises(InvalidInput) as caught:
            parse_ids_and_reason(typed, "remove")
        assert str(caught.value.message) == "Usage: /remove ID… REASON"
    with pytest.raises(InvalidInput) as caught:
        parse_ids_and_reason("x12 spam", "reject")
    assert str(caught.value.message) == "“x12” is not a signature number like 12."


async def test_rejecting_and_removing_several_at_once(service: PledgeService) -> None:
    """One unit for the lot, with one outcome per id: decided, not found, already decided."""
    made = [
        (await service.sign(artist(n), SignatureForm(f"Name {n}"), community="c")).signature
        for n in range(1, 5)
    ]
    await service.approve(MOD, [made[3].id])
    rejected = await commands.reject_many(service, MOD, "1 2 #2 4 99 not on the list")
    assert [str(d.describe()) for d in rejected] == [
        "#1 rejected. The signer will be told why.",
        "#2 rejected. The signer will be told why.",
        "Signature #4 is already approved by mod.",
        "There is no signature #99.",
    ]
    for sig in made[:2]:
        now = (await service.status(sig.identity)).signature
        assert now is not None and (now.status, now.reason) == ("rejected", "not on the list")
    assert await service.count() == 1
    removed = await commands.remove_many(service, MOD, "3, 4 1 spam wave")
    assert [str(d.describe()) for d in removed] == [
        "#3 removed from the letter. That account cannot sign again.",
        "#4 removed from the letter. That account cannot sign again.",
        "#1 removed from the letter. That account cannot sign again.",
    ]
    assert await service.count() == 0  # #4 was approved: the count went down with it
    again = await commands.remove_many(service, MOD, "3 spam")
    assert [str(d.describe()) for d in again] == ["Signature #3 is already removed by mod."]
    log = [(e.action, e.signature_id, e.reason) for e in await service.audit(MOD)]
    assert log[:5] == [
        ("remove", 1, "spam wave"),
        ("remove", 4, "spam wave"),
        ("remove", 3, "spam wave"),
        ("reject", 2, "not on the list"),
        ("reject", 1, "not on the list"),
    ]


async def test_each_rejected_signer_is_told_the_reason_once(service: PledgeService) -> None:
    for n in (1, 2):
        await service.sign(artist(n), SignatureForm(f"Name {n}"), community="c")
    await commands.reject_many(service, MOD, "1 2 not an artist")
    told = [
        (m.destination, m.text)
        for m in await service.store.outbox_messages()
        if m.kind is OutboxKind.NOTIFICATION
    ]
    assert told == [
        ("1", "Your signature #1 on “No Music For ICE” was not approved. Reason: not an artist. "
         "You may sign again with /sign."),
        ("2", "Your signature #2 on “No Music For ICE” was not approved. Reason: not an artist. "
         "You may sign again with /sign."),
    ]  # fmt: skip


async def test_too_many_at_once_is_refused_and_nothing_changes(service: PledgeService) -> None:
    await service.sign(artist(1), SignatureForm("Ann"), community="c")
    ids = " ".join(str(n) for n in range(1, MAX_BATCH_DECISIONS + 2))
    with pytest.raises(InvalidInput) as caught:
        await commands.reject_many(service, MOD, f"{ids} spam")
    most = MAX_BATCH_DECISIONS
    assert str(caught.value.message) == f"Decide at most {most} signatures at once, please."
    still = (await service.status(artist(1).identity)).signature
    assert still is not None and still.status is Status.PENDING
