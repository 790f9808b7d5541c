"""The language a signature was made in is kept with it, on every store (schema 11), and a
decision's notification is written in it."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import Identity, OutboxKind, Status
from bot.ports import Store
from tests.contract.test_store_contract import insert, new_sig, set_status


async def test_a_signature_keeps_the_language_it_was_made_in(any_store: Store) -> None:
    spanish, unknown = await insert(any_store, replace(new_sig("1"), language="es"), new_sig("2"))
    assert spanish.language == "es" and unknown.language is None
    assert await any_store.get_signature(spanish.id) == spanish
    assert await any_store.latest_signature(Identity("discord", "1")) == spanish
    assert [s.language for s in await any_store.pending(10)] == ["es", None]
    decided = await set_status(any_store, spanish, Status.APPROVED)
    stored = await any_store.get_signature(spanish.id)
    assert stored is not None and stored.language == "es" == decided.language


async def test_decisions_reach_each_signer_in_their_language(any_store: Store) -> None:
    """Through the service: a Spanish signer hears "aprobada", a German one "abgelehnt", one
    whose language is not known the default language (English here)."""
    from bot.app import default_rules
    from bot.domain import Actor, Destinations, Letter, SignatureForm
    from bot.service import PledgeService

    service = PledgeService(
        any_store,
        Letter(title="T", preamble="", demands=("D",), closing=""),
        default_rules(rate_limits=None),
        Destinations(),
    )
    await service.start()
    mod = Actor(Identity("console", "mod"), "mod", True)

    def signer(user: str) -> Actor:
        return Actor(Identity("telegram", user), user, False)

    for user, language in (("1", "es"), ("2", "de"), ("3", None), ("4", "xx")):
        await service.sign(
            signer(user), SignatureForm(f"Artist {user}"), community="t", language=language
        )
    await service.approve(mod, [1, 3, 4])
    await service.reject(mod, 2, "spam")
    notes = {
        m.destination: m.text
        for m in await any_store.outbox_messages()
        if m.kind is OutboxKind.NOTIFICATION
    }
    assert notes["1"] == "Tu firma #1 en «T» ha sido aprobada. ¡Gracias por firmar!"
    assert notes["2"].startswith("Deine Unterschrift #2 unter „T“ wurde nicht freigegeben.")
    assert notes["3"] == "Your signature #3 on “T” has been approved. Thank you for signing!"
    assert notes["4"].startswith("Your signature #4")  # a language pledgebot does not speak
