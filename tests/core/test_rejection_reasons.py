"""A canned rejection reason is stored as its catalogue key, so each reader reads it in their
own language: a Spanish signer rejected by an English moderator reads the reason in Spanish. A
reason a moderator typed reaches everyone as typed."""

from __future__ import annotations

from bot.domain import OutboxKind, SignatureForm
from bot.i18n import translator
from bot.service import PledgeService
from bot.texts import cards, moderation, rejection, signing
from tests.conftest import MOD, artist

SPAM = rejection.REJECTION_REASONS[3]  # "Spam": the signer reads "spam or abuse"


async def _notes(service: PledgeService) -> dict[str, str]:
    return {
        m.destination: m.text
        for m in await service.store.outbox_messages()
        if m.kind is OutboxKind.NOTIFICATION
    }


async def test_a_canned_reason_reaches_each_signer_in_their_language(
    service: PledgeService,
) -> None:
    for n, language in ((1, "es"), (2, "en"), (3, "es")):
        await service.sign(
            artist(n), SignatureForm(f"Artist {n}"), community="c", language=language
        )
    await service.reject_all(MOD, [1, 2], SPAM.key)  # an English moderator picked "Spam"
    await service.reject(MOD, 3, "Please use your artist name")  # typed, in English

    notes = await _notes(service)
    assert notes["1"].startswith("Tu firma #1")
    assert "spam o abuso" in notes["1"] and "spam or abuse" not in notes["1"]
    assert "Reason: spam or abuse." in notes["2"]
    assert notes["3"].startswith("Tu firma #3") and "Please use your artist name" in notes["3"]

    # Asking later, the Spanish signer still reads it in Spanish; the English moderator's
    # audit log reads it in English; a Spanish moderator's card in Spanish.
    status = await service.status(artist(1).identity)
    assert "spam o abuso" in translator("es").render(signing.status_text(status))
    audit = [translator("en").render(moderation.audit_entry(e)) for e in await service.audit(MOD)]
    assert sum(line.endswith("— spam or abuse") for line in audit) == 2
    signature = await service.store.get_signature(1)
    assert signature is not None
    assert translator("es").render(cards.card_update(signature)).endswith("spam o abuso.")


async def test_a_typed_reason_that_is_not_canned_is_never_translated(
    service: PledgeService,
) -> None:
    """Only the exact key of a canned reason is read as one: a longer or altered text is the
    moderator's own words, braces and all."""
    await service.sign(artist(1), SignatureForm("Artist 1"), community="c", language="de")
    await service.reject(MOD, 1, "spam or abuse {again}")
    assert "spam or abuse {again}" in (await _notes(service))["1"]
