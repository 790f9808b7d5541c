"""What ``/withdraw`` offers, decided once in the core for every platform, and what each choice
does and says."""

from __future__ import annotations

import pytest

from bot.domain import SignatureForm, Status, WithdrawChoice
from bot.errors import NotSigned
from bot.service import PledgeService
from bot.texts import signing
from tests.conftest import MOD, artist

W = WithdrawChoice
FORM = SignatureForm("Zoë Unique-Name", "drummer", "Lagos")


async def choices(service: PledgeService, n: int = 1) -> tuple[WithdrawChoice, ...]:
    return (await service.status(artist(n).identity)).withdraw_choices


async def test_nothing_is_offered_to_someone_who_never_signed(service: PledgeService) -> None:
    assert await choices(service) == ()
    status = await service.status(artist(1).identity)
    assert str(signing.withdraw_prompt(status)) == str(signing.status_text(status))  # no question


@pytest.mark.parametrize("approved", [False, True])
async def test_an_active_signature_may_be_withdrawn_with_or_without_erasing(
    service: PledgeService, approved: bool
) -> None:
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    if approved:
        await service.approve(MOD, [sig.id])
    assert await choices(service) == (W.WITHDRAW, W.WITHDRAW_AND_ERASE, W.KEEP)
    prompt = str(signing.withdraw_prompt(await service.status(artist(1).identity)))
    assert prompt.endswith(
        f"Take signature #{sig.id} back? “Withdraw and erase my details” also deletes your "
        "name, role, location and link for good."
    )


@pytest.mark.parametrize("how", ["withdrawn", "rejected", "removed"])
async def test_an_inactive_signature_may_only_be_erased(service: PledgeService, how: str) -> None:
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    if how == "withdrawn":
        await service.withdraw(artist(1))
    elif how == "rejected":
        await service.reject(MOD, sig.id, "typo")
    else:
        await service.remove(MOD, sig.id, "spam")
    assert await choices(service) == (W.ERASE, W.KEEP)
    prompt = str(signing.withdraw_prompt(await service.status(artist(1).identity)))
    assert prompt.endswith("Erase your details? Your name, role, location and link will be "
                           "deleted for good.")  # fmt: skip
    # Withdrawing is not among the choices, and the core refuses it too (a stale button).
    with pytest.raises(NotSigned):
        await service.withdraw_as_chosen(artist(1), W.WITHDRAW)

    done = await service.withdraw_as_chosen(artist(1), W.ERASE)

    assert str(done.message) == "Your details have been erased."
    assert await choices(service) == ()  # erased: nothing left to offer


async def test_each_choice_does_what_it_says(service: PledgeService) -> None:
    for n in (1, 2, 3):
        await service.sign(artist(n), FORM, community="c")

    kept = await service.withdraw_as_chosen(artist(1), W.KEEP)
    withdrawn = await service.withdraw_as_chosen(artist(2), W.WITHDRAW)
    erased = await service.withdraw_as_chosen(artist(3), W.WITHDRAW_AND_ERASE)

    assert str(kept.message) == "Nothing changed: your signature stays as it was."
    assert str(withdrawn.message) == "Signature #2 is withdrawn."
    assert str(erased.message) == "Signature #3 is withdrawn. Your details have been erased."
    statuses = [(await service.status(artist(n).identity)).signature for n in (1, 2, 3)]
    assert [(s.status, s.erased) for s in statuses if s is not None] == [
        (Status.PENDING, False),
        (Status.WITHDRAWN, False),
        (Status.WITHDRAWN, True),
    ]
