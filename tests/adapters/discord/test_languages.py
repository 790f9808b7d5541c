"""Each Discord reader in their own language: the client's locale, else the server's, else the
campaign's default; channel posts (mod-queue cards) in the default language, whoever clicks.

Every test drives the real discord.py against the fake Discord, with readers of several
languages in the same run.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from bot.domain import LetterText
from storage.sqlite import SQLiteStore
from tests.adapters.discord.conftest import (
    Bot,
    Server,
    ServiceFactory,
    approved_signatures,
    destinations,
    start_bot,
)
from tests.conftest import LETTER
from tests.fakes.fake_discord import JSON, OpenedModal

TITLE = "No Music For ICE"


def _inputs(modal: OpenedModal) -> Iterator[JSON]:
    """Each text input's label with the input inside it (discord.py 2.7 wraps them in Labels)."""
    for component in modal.components:
        if component.get("type") == 18:
            yield {
                **component["component"],
                "label": component["label"],
                "description": component.get("description"),
            }


def _labelled(modal: OpenedModal) -> dict[str, JSON]:
    return {i["custom_id"]: i for i in _inputs(modal)}


async def test_a_spanish_and_an_english_reader_each_read_the_letter_in_their_own(
    bot: Bot, server: Server
) -> None:
    spanish = await bot.command("letter", server.artist, locale="es-ES")
    english = await bot.command("letter", server.drummer, locale="en-US")

    [es] = spanish.data["embeds"]
    assert es["fields"][0]["name"] == "Firmas"
    assert es["footer"]["text"] == "Firma con un botón de abajo o con /firmar."
    [en] = english.data["embeds"]
    assert en["fields"][0]["name"] == "Signatures"
    assert en["footer"]["text"] == "Sign with a button below, or with /sign."


async def test_each_discord_locale_of_a_language_gets_it(bot: Bot, server: Server) -> None:
    titles = {}
    for locale in ("es-419", "es-ES", "fr", "de", "pt-BR", "en-GB", "en-US"):
        callback = await bot.command("demands", server.artist, locale=locale)
        titles[locale] = callback.data["embeds"][0]["title"]

    assert titles == {
        "es-419": f"Demandas de «{TITLE}»",
        "es-ES": f"Demandas de «{TITLE}»",
        "fr": f"Revendications de « {TITLE} »",
        "de": f"Forderungen von „{TITLE}“",
        "pt-BR": f"Reivindicações de “{TITLE}”",
        "en-GB": f"Demands of “{TITLE}”",
        "en-US": f"Demands of “{TITLE}”",
    }


async def test_the_sign_form_asks_in_the_signers_language(bot: Bot, server: Server) -> None:
    spanish = await server.fake.send_slash_command(
        "sign", user=server.artist, channel=server.general, locale="es-ES"
    )
    english = await server.fake.send_slash_command(
        "sign", user=server.drummer, channel=server.general, locale="en-US"
    )

    es = _labelled(await server.fake.wait_for_modal(spanish))
    assert es["name"]["description"] == "Cómo apareces en la lista pública de firmantes."
    assert es["role"]["placeholder"] == "Música, productora, sello, sala…"
    assert es["location"]["placeholder"] == "Ciudad, país"
    en = _labelled(await server.fake.wait_for_modal(english))
    assert en["name"]["description"] == "How you appear on the public list of signatories."
    assert en["location"]["placeholder"] == "City, country"


async def test_the_pager_buttons_are_in_the_readers_language(bot: Bot, server: Server) -> None:
    await approved_signatures(bot.service, 25)
    callback = await bot.command("signatories", server.artist, locale="pt-BR")

    assert callback.message is not None
    [row] = callback.message.components
    assert [b["label"] for b in row["components"]] == ["◀ Anterior", "Próxima ▶"]
    turned = await bot.click(callback.message, "pledge:page:2", server.artist, locale="de")
    assert turned.message is not None
    [row] = turned.message.components
    assert [b["label"] for b in row["components"]] == ["◀ Zurück", "Weiter ▶"]


async def test_an_unspoken_locale_falls_back_to_the_servers(bot: Bot, server: Server) -> None:
    server.community.preferred_locale = "fr"
    callback = await bot.command("demands", server.artist, server.community_channel, locale="ja")
    assert callback.data["embeds"][0]["title"] == f"Revendications de « {TITLE} »"

    # A locale pledgebot speaks wins over the server's.
    callback = await bot.command("demands", server.artist, server.community_channel, locale="pt-BR")
    assert callback.data["embeds"][0]["title"] == f"Reivindicações de “{TITLE}”"


@contextlib.asynccontextmanager
async def german_campaign(
    make_service: ServiceFactory, server: Server, store: SQLiteStore
) -> AsyncIterator[Bot]:
    """A bot whose campaign speaks German by default (``[i18n] default_language = "de"``)."""
    service = make_service(destinations=replace(destinations(server), default_language="de"))
    await service.start()
    bot = await start_bot(server, service, store)
    try:
        yield bot
    finally:
        await bot.stop()


async def test_then_the_default_language(
    make_service: ServiceFactory, server: Server, store: SQLiteStore
) -> None:
    server.community.preferred_locale = "ko"
    async with german_campaign(make_service, server, store) as bot:
        unspoken = await bot.command(
            "demands", server.artist, server.community_channel, locale="ja"
        )
        spoken = await bot.command(
            "demands", server.artist, server.community_channel, locale="es-ES"
        )
        in_a_dm = await bot.command(
            "demands", server.artist, server.fake.dm_channel(server.artist), locale="ja"
        )

    assert unspoken.data["embeds"][0]["title"] == f"Forderungen von „{TITLE}“"
    assert spoken.data["embeds"][0]["title"] == f"Demandas de «{TITLE}»"
    # A direct message has no server language to fall back on.
    assert in_a_dm.data["embeds"][0]["title"] == f"Forderungen von „{TITLE}“"


async def test_cards_are_in_the_default_language_whoever_decides(
    make_service: ServiceFactory, server: Server, store: SQLiteStore
) -> None:
    async with german_campaign(make_service, server, store) as bot:
        await bot.sign(server.artist, {"role": "Singer"})
        card = await bot.card(1)
        assert card.embeds[0]["title"] == "Unterschrift #1 wartet auf Freigabe"
        assert [f["name"] for f in card.embeds[0]["fields"]][:4] == [
            "Name",
            "Rolle",
            "Ort",
            "Link",
        ]

        # A Spanish moderator is asked in Spanish; the card stays in the channel's German.
        opener = await server.fake.click_button(
            card, "pledge:reject:1", user=server.moderator, locale="es-ES"
        )
        modal = await server.fake.wait_for_modal(opener)
        assert modal.title == "Rechazar la firma #1"
        assert _labelled(modal)["reason"]["label"] == "Motivo"
        submit = await server.fake.submit_modal(modal, {"reason": "No"}, locale="es-ES")
        await server.fake.wait_for_callback(submit)

    assert card.embeds[0]["title"] == "Unterschrift #1 abgelehnt"
    decision = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}["Entscheidung"]
    assert decision.endswith("\nGrund: No")


TRANSLATED_LOCALES = {"es-ES", "es-419", "fr", "de", "pt-BR"}


async def test_commands_are_registered_in_every_language(bot: Bot, server: Server) -> None:
    """The fake refuses a sync that breaks Discord's rules in any locale (a name with a capital
    or a space, a description over 100 characters, a name used twice), as Discord does."""
    synced = {c["name"]: c for c in server.fake.commands(server.home)}

    assert synced["sign"]["name_localizations"] == {
        "es-ES": "firmar",
        "es-419": "firmar",
        "fr": "signer",
        "de": "unterschreiben",
        "pt-BR": "assinar",
    }
    assert synced["signatories"]["name_localizations"]["pt-BR"] == "signatários"
    [anonymous] = synced["sign"]["options"]
    assert anonymous["name_localizations"]["es-ES"] == "anónimo"
    assert anonymous["description_localizations"]["es-419"] == (
        "Contar sin tu nombre en la lista pública (los moderadores sí lo ven)"
    )
    [code] = synced["link"]["options"]
    assert code["description_localizations"]["fr"] == (
        "Le code que /lier vous a donné sur votre autre compte ; vide pour en obtenir un"
    )
    for name, command in synced.items():
        assert set(command["name_localizations"]) == TRANSLATED_LOCALES, name
        for option in command["options"]:
            assert set(option["name_localizations"]) == TRANSLATED_LOCALES, (name, option)
            assert set(option["description_localizations"]) == TRANSLATED_LOCALES, (name, option)


SPANISH_LETTER = LetterText(
    title="Ninguna música para ICE",
    preamble="Los artistas abajo firmantes nos comprometemos:",
    demands=(
        "Rescindir los contratos.",
        "Parar los servicios en la nube.",
        "Terminar los proyectos.",
        "Rechazar futuros acuerdos.",
    ),
    closing="Únete.",
    language="es",
)


async def test_a_translated_letter_is_read_in_its_language_and_says_so(
    make_service: ServiceFactory, server: Server, store: SQLiteStore
) -> None:
    service = make_service(
        destinations=destinations(server), letter=replace(LETTER, translations=(SPANISH_LETTER,))
    )
    await service.start()
    bot = await start_bot(server, service, store)
    try:
        spanish = await bot.command("letter", server.artist, locale="es-419")
        demand = await bot.command("demands", server.artist, locale="es-ES", number=2)
        english = await bot.command("letter", server.drummer, locale="en-US")
        french = await bot.command("demands", server.drummer, locale="fr", number=2)
    finally:
        await bot.stop()

    [es] = spanish.data["embeds"]
    assert es["title"] == "Ninguna música para ICE"
    assert "**2.** Parar los servicios en la nube." in es["description"]
    assert es["footer"]["text"].splitlines() == [
        "Esta es una traducción de la carta.",
        "Firma con un botón de abajo o con /firmar.",
    ]
    [one] = demand.data["embeds"]
    assert one["title"] == "Demandas de «Ninguna música para ICE»"
    assert one["description"] == "**2.** Parar los servicios en la nube."
    assert one["footer"]["text"] == "Esta es una traducción de la carta."
    # No translation into English or French: the original, without a note.
    [en] = english.data["embeds"]
    assert en["title"] == TITLE and "**2.** Stop the cloud services." in en["description"]
    assert en["footer"]["text"] == "Sign with a button below, or with /sign."
    [fr] = french.data["embeds"]
    assert fr["description"] == "**2.** Stop the cloud services." and "footer" not in fr


async def test_the_cores_answers_are_in_each_readers_language(bot: Bot, server: Server) -> None:
    """/count, /status, the sign form's title, the confirmation and a refusal: a Spanish and an
    English reader in the same run."""
    await approved_signatures(bot.service, 3)
    es_count = await bot.command("count", server.artist, locale="es-ES")
    en_count = await bot.command("count", server.drummer, locale="en-US")
    es_status = await bot.command("status", server.artist, locale="es-ES")
    en_status = await bot.command("status", server.drummer, locale="en-US")
    es_refusal = await bot.command("demands", server.artist, locale="es-419", number=9)

    assert es_count.content == "**3** firmas hasta ahora. Próximo hito: **5**."
    assert en_count.content == "**3** signatures so far. Next milestone: **5**."
    assert es_status.content == "Todavía no has firmado. Usa /firmar para añadir tu nombre."
    assert en_status.content == "You have not signed yet. Use /sign to add your name."
    assert es_refusal.ephemeral and es_refusal.content == "La carta tiene las demandas 1 a 4."

    spanish = await server.fake.send_slash_command(
        "sign", user=server.artist, channel=server.general, locale="es-ES"
    )
    english = await server.fake.send_slash_command(
        "sign", user=server.drummer, channel=server.general, locale="en-US"
    )
    es_form = await server.fake.wait_for_modal(spanish)
    en_form = await server.fake.wait_for_modal(english)
    assert (es_form.title, en_form.title) == ("Firmar la carta", "Sign the letter")
    assert _labelled(es_form)["name"]["label"] == "Nombre público"

    es_done = await server.fake.wait_for_callback(
        await server.fake.submit_modal(es_form, {}, locale="es-ES")
    )
    en_done = await server.fake.wait_for_callback(
        await server.fake.submit_modal(en_form, {}, locale="en-US")
    )
    assert es_done.content is not None and es_done.content.startswith(
        "¡Gracias! La firma #4 quedó registrada"
    )
    assert "Firmas como Alice Artist." in es_done.content
    assert en_done.content is not None and en_done.content.startswith(
        "Thank you! Signature #5 is recorded"
    )


async def test_the_cores_texts_name_commands_as_the_readers_client_lists_them(
    bot: Bot, server: Server
) -> None:
    """A Spanish client lists /firmar, /estado and /retirar, not /sign: a sentence telling
    its reader what to type names the command they can find; the English reader's says /sign."""
    es_before = await bot.command("status", server.artist, locale="es-ES")
    de_before = await bot.command("status", server.drummer, locale="de")
    assert es_before.content == "Todavía no has firmado. Usa /firmar para añadir tu nombre."
    assert de_before.content == (
        "Du hast noch nicht unterschrieben. Mit /unterschreiben fügst du deinen Namen hinzu."
    )

    await bot.sign(server.artist)
    es_again = await bot.command("sign", server.artist, locale="es-ES")
    en_again = await bot.command("sign", server.artist, locale="en-US")
    assert es_again.ephemeral and es_again.content == (
        "Ya has firmado: la firma #1 espera aprobación. "
        "Usa /estado para verla o /retirar para retirarla."
    )
    assert en_again.content == (
        "You have already signed: signature #1 is awaiting approval. "
        "Use /status to see it or /withdraw to take it back."
    )


async def test_command_descriptions_are_registered_in_every_language(
    bot: Bot, server: Server
) -> None:
    synced = {c["name"]: c for c in server.fake.commands(server.home) if c["type"] == 1}

    assert synced["sign"]["description"] == "Sign the letter (only the name is required)"
    assert synced["sign"]["description_localizations"]["es-ES"] == (
        "Firmar la carta (solo el nombre es obligatorio)"
    )
    assert synced["count"]["description_localizations"]["pt-BR"] != synced["count"]["description"]
    for name, command in synced.items():
        assert set(command["description_localizations"]) == TRANSLATED_LOCALES, name


async def test_a_mod_channel_with_its_own_language_gets_its_cards_in_it(
    make_service: ServiceFactory, server: Server, store: SQLiteStore
) -> None:
    """``[i18n] channel_languages``: the mod channel reads French, whoever clicks."""
    where = replace(destinations(server), languages={("discord", str(server.mod_channel.id)): "fr"})
    service = make_service(destinations=where)
    await service.start()
    bot = await start_bot(server, service, store)
    try:
        await bot.sign(server.artist, {"role": "Singer"})
        card = await bot.card(1)
        assert card.embeds[0]["title"] == "La signature n° 1 attend une approbation"
        [row] = card.components
        assert [b["label"] for b in row["components"]] == ["Approuver", "Refuser"]
        await bot.click(card, "pledge:approve:1", server.moderator, locale="pt-BR")
    finally:
        await bot.stop()

    assert card.embeds[0]["title"] == "Signature n° 1 approuvée"
    assert card.components == []


async def test_a_signer_hears_the_decision_in_the_language_they_signed_in(
    bot: Bot, server: Server
) -> None:
    """The signer's language is kept with the signature: an English moderator's rejection,
    decided days later, reaches a Spanish signer in Spanish (and an English one in English)."""
    for member, locale in ((server.artist, "es-419"), (server.drummer, "en-US")):
        opener = await server.fake.send_slash_command(
            "sign", user=member, channel=server.general, locale=locale
        )
        modal = await server.fake.wait_for_modal(opener)
        await server.fake.wait_for_callback(
            await server.fake.submit_modal(modal, {}, locale=locale)
        )
    for sig_id in (1, 2):
        card = await bot.card(sig_id)
        opener = await server.fake.click_button(
            card, f"pledge:reject:{sig_id}", user=server.moderator, locale="en-US"
        )
        modal = await server.fake.wait_for_modal(opener)
        assert modal.title == f"Reject signature #{sig_id}"
        submit = await server.fake.submit_modal(modal, {"reason": "Not a musician"})
        await server.fake.wait_for_callback(submit)
    await bot.drain()

    [spanish] = server.fake.messages_in(server.fake.dm_channel(server.artist))
    assert spanish.content.startswith(f"Tu firma #1 en «{TITLE}» no fue aprobada.")
    assert "Motivo: Not a musician." in spanish.content
    # Rendered by the core before delivery, it still names the command the signer's client lists.
    assert spanish.content.endswith("Puedes volver a firmar con /firmar.")
    [english] = server.fake.messages_in(server.fake.dm_channel(server.drummer))
    assert english.content.startswith(f"Your signature #2 on “{TITLE}” was not approved.")
    assert english.content.endswith("You may sign again with /sign.")


async def test_discords_command_list_names_commands_in_the_readers_language(
    bot: Bot, server: Server
) -> None:
    """Discord's help is its command list: a Spanish client lists /vincular, so /desvincular's
    description and /vincular's option say /vincular, not /link; an English one says /link."""
    synced = {c["name"]: c for c in server.fake.commands(server.home)}

    assert synced["unlink"]["description"] == "Undo /link for this account"
    assert synced["unlink"]["description_localizations"]["es-ES"] == (
        "Deshacer /vincular para esta cuenta"
    )
    assert synced["unlink"]["description_localizations"]["de"] == (
        "/verknüpfen für dieses Konto rückgängig machen"
    )
    [code] = synced["link"]["options"]
    assert code["description_localizations"]["es-419"] == (
        "El código que te dio /vincular en tu otra cuenta; déjalo vacío para uno nuevo"
    )


ANNOUNCEMENTS = {
    "the catalogue's": (
        "",
        "2 artists have signed “No Music For ICE”. Read it and add your name: /letter",
        "2 artistas han firmado «No Music For ICE». Léela y añade tu nombre: /carta",
    ),
    "the organiser's": (
        "{count} and counting: {letter}",
        "2 and counting: /letter",
        "2 and counting: /carta",
    ),
}


@pytest.mark.parametrize("template", ANNOUNCEMENTS, ids=str)
async def test_a_spanish_channels_milestone_names_the_spanish_letter_command(
    make_service: ServiceFactory, server: Server, store: SQLiteStore, template: str
) -> None:
    """``[i18n] channel_languages``: the second announce channel reads Spanish, so the post
    tells its readers to type /carta, the name their clients list; the first says /letter."""
    message, english, spanish = ANNOUNCEMENTS[template]
    languages = {("discord", str(server.announce[1].id)): "es"}
    where = replace(destinations(server), languages=languages)
    service = make_service(destinations=where, thresholds=(2,), milestone_message=message)
    await service.start()
    bot = await start_bot(server, service, store)
    try:
        await approved_signatures(service, 2)
        await bot.drain()
    finally:
        await bot.stop()

    [in_english] = server.fake.messages_in(server.announce[0])
    [in_spanish] = server.fake.messages_in(server.announce[1])
    assert (in_english.content, in_spanish.content) == (english, spanish)
