"""Each Telegram user is answered in their client's language (``from_user.language_code``);
groups and channels, and users whose language pledgebot does not speak, get the default one.
The command menus exist once per language and scope."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

from bot.domain import LetterText
from tests.adapters.telegram.conftest import Bot, Start
from tests.conftest import LETTER
from tests.fakes.fake_telegram import FakeUser

# What the signing conversation's first answer says, in each language.
SIGNING_STARTS = {
    "en": (
        "Let's sign “No Music For ICE”. Only your name is required: send /skip to leave any "
        "other answer out, or /cancel to stop.\n\n"
        "What public name should appear on the letter? (up to 80 characters)"
    ),
    "es": (
        "Vamos a firmar «No Music For ICE». Solo el nombre es obligatorio: envía /skip para "
        "omitir cualquier otra respuesta, o /cancel para parar.\n\n"
        "¿Qué nombre público debe figurar en la carta? (hasta 80 caracteres)"
    ),
    "pt_BR": (
        "Vamos assinar “No Music For ICE”. Só o seu nome é obrigatório: envie /skip para deixar "
        "qualquer outra resposta em branco, ou /cancel para parar.\n\n"
        "Qual nome público deve aparecer na carta? (até 80 caracteres)"
    ),
    "de": (
        "Lass uns „No Music For ICE“ unterschreiben. Nur dein Name ist nötig: Sende /skip, um "
        "eine andere Antwort wegzulassen, oder /cancel, um aufzuhören.\n\n"
        "Welcher öffentliche Name soll unter dem Brief stehen? (bis zu 80 Zeichen)"
    ),
}
ROLE_QUESTIONS = {
    "en": "Your role or affiliation, for example “singer, The Band”? /skip to leave it out.",
    "es": "¿Tu función o afiliación, por ejemplo «cantante, The Band»? /skip para omitirla.",
    "pt_BR": (
        "Sua função ou afiliação, por exemplo “cantora, The Band”? /skip para deixar em branco."
    ),
}
HELP_STARTS = {
    "en": "I gather signatures for the open letter “No Music For ICE”.",
    "es": "Recojo firmas para la carta abierta «No Music For ICE».",
    "pt_BR": "Eu reúno assinaturas para a carta aberta “No Music For ICE”.",
    "de": "Ich sammle Unterschriften für den offenen Brief „No Music For ICE“.",
}


async def _text(bot: Bot, user: FakeUser, line: str) -> str:
    text: str = bot.sent(await bot.say(user, None, line))["text"]
    return text


async def test_each_user_is_answered_in_their_language(bot: Bot) -> None:
    sofia = bot.fake.new_user("Sofía", language_code="es")
    joao = bot.fake.new_user("João", language_code="pt-br")
    for user in (sofia, joao):
        bot.fake.private_chat(user)
    readers = {"en": bot.ada, "es": sofia, "pt_BR": joao}
    # Interleaved, in one run: nobody's language leaks into another's answers.
    for language, user in readers.items():
        assert await _text(bot, user, "/sign") == SIGNING_STARTS[language]
    for language, user in readers.items():
        assert await _text(bot, user, "Someone") == ROLE_QUESTIONS[language]
    for language, user in readers.items():
        assert (await _text(bot, user, "/help")).startswith(HELP_STARTS[language])
    assert await _text(bot, sofia, "/nonsense") == "No conozco ese comando. /help muestra los míos."
    assert await _text(bot, joao, "cantor") == (
        "Onde você está baseado(a)? /skip para deixar em branco."
    )


async def test_a_spanish_users_help_names_telegrams_commands(bot: Bot) -> None:
    """Telegram lists one name per command in every language: a Spanish user's help says
    /sign and /link (a Spanish Discord client's would say /firmar and /vincular)."""
    sofia = bot.fake.new_user("Sofía", language_code="es")
    bot.fake.private_chat(sofia)
    lines = (await _text(bot, sofia, "/help")).splitlines()
    assert "/sign — firmar la carta (solo el nombre es obligatorio)" in lines
    assert "/unlink — deshacer /link para esta cuenta" in lines
    assert "/firmar" not in "\n".join(lines)


async def test_count_and_status_speak_each_readers_language(bot: Bot) -> None:
    """The core's sentences too: each reader gets them in their own language, in one run."""
    await bot.approved(3)
    sofia = bot.fake.new_user("Sofía", language_code="es")
    joao = bot.fake.new_user("João", language_code="pt-BR")
    for user in (sofia, joao):
        bot.fake.private_chat(user)
    counts = {
        bot.ada: "3 signatures so far. Next milestone: 10.",
        sofia: "3 firmas hasta ahora. Próximo hito: 10.",
        joao: "3 assinaturas até agora. Próxima meta: 10.",
    }
    for user, said in counts.items():
        assert await _text(bot, user, "/count") == said
    # In a group too: a reply is for the one who asked.
    assert bot.sent(await bot.say(sofia, bot.group, "/count"))["text"] == counts[sofia]
    statuses = {
        bot.ada: "You have not signed yet. Use /sign to add your name.",
        sofia: "Todavía no has firmado. Usa /sign para añadir tu nombre.",
        joao: "Você ainda não assinou. Use /sign para adicionar seu nome.",
    }
    for user, said in statuses.items():
        assert await _text(bot, user, "/status") == said
    # Signed in Spanish: the status says so in Spanish, with the signature's details.
    sig = await bot.sign(sofia, "Sofía")
    assert (await _text(bot, sofia, "/status")).splitlines() == [
        f"Firma #{sig.id}: Sofía",
        "Estado: espera la aprobación de la moderación.",
    ]


async def test_the_summary_and_its_buttons_speak_the_signers_language(bot: Bot) -> None:
    sofia = bot.fake.new_user("Sofía", language_code="es-MX")
    bot.fake.private_chat(sofia)
    summary = bot.sent(await bot.say(sofia, None, "/sign Sofía | cantante"))
    lines = summary["text"].splitlines()
    assert lines[0] == "Revisa tu firma"
    assert "Vas a firmar «No Music For ICE», que exige:" in lines
    assert lines[-1] == "Firma con tu nombre, firma sin él (se cuenta pero no se lista) o cancela."
    buttons = [b["text"] for row in summary["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0] == "✍️ Firmar" and buttons[-1] == "Cancelar"
    mark = bot.fake.mark()
    await bot.press(sofia, summary, "✍️ Firmar")
    assert await bot.signed(sofia, since=mark) is not None


async def test_a_language_pledgebot_does_not_speak_gets_the_default(start_bot: Start) -> None:
    bot = await start_bot(language="de")
    kenji = bot.fake.new_user("Kenji", language_code="ja")
    nobody = bot.fake.new_user("Anon", language_code=None)
    for user in (kenji, nobody):
        bot.fake.private_chat(user)
        assert await _text(bot, user, "/sign") == SIGNING_STARTS["de"]
    # Someone whose language pledgebot speaks still gets it.
    assert await _text(bot, bot.ada, "/sign") == SIGNING_STARTS["en"]


async def test_posts_in_the_mod_chat_keep_its_language_whoever_presses(start_bot: Start) -> None:
    """A card is read by every moderator and redrawn by whoever presses next: it stays in the
    default language. The reason prompt is addressed to one moderator: theirs. A reply to it
    works whatever language it was asked in."""
    bot = await start_bot(language="fr")
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    assert "depuis telegram:private" in card["text"].splitlines()
    maud = replace(bot.mod, language_code="es")  # the same moderator, her client in Spanish
    mark = bot.fake.mark()
    await bot.press_data(maud, card, f"pledge:reject:{sig.id}:c")
    await bot.fake.wait_for("editMessageReplyMarkup", since=mark)
    reasons = bot.fake.message(bot.mod_chat.id, card["message_id"])
    assert reasons is not None
    labels = [b["text"] for row in reasons["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[-2:] == ["Autre motif…", "« Retour"]

    mark = bot.fake.mark()
    await bot.press(maud, reasons, "Autre motif…")
    prompt = bot.sent(await bot.answer(bot.mod_chat, since=mark))
    assert prompt["text"] == (
        f"❌ #{sig.id}: ¿Por qué se rechaza? Maud, responde a este mensaje; quien firmó lo leerá."
    )
    await bot.say(maud, bot.mod_chat, "No es una artista", reply_to=prompt)
    rejected = await bot.signature_of(bot.ada)
    assert rejected is not None and rejected.reason == "No es una artista"


async def test_a_reply_to_a_prompt_an_older_version_asked_still_rejects(bot: Bot) -> None:
    """Prompts are matched by their text, with nothing remembered: one asked in English before
    the prompt changed still works after an upgrade."""
    sig = await bot.sign(bot.ada, "Ada")
    old = await bot.adapter.application.bot.send_message(
        bot.mod_chat.id,
        f"Reason for rejecting #{sig.id}? Maud, reply to this message; the signer will read it.",
    )
    prompt = bot.fake.message(bot.mod_chat.id, old.message_id)
    assert prompt is not None
    await bot.say(bot.mod, bot.mod_chat, "Not a musician", reply_to=prompt)
    rejected = await bot.signature_of(bot.ada)
    assert rejected is not None and rejected.reason == "Not a musician"


async def test_one_menu_per_language_and_scope(bot: Bot) -> None:
    """Each scope the bot uses has a menu per language (Telegram's two-letter codes: ``pt``
    for Brazilian Portuguese) and one without a code for everyone else, each set once."""
    calls = Counter(
        (json.dumps(c.params.get("scope", {"type": "default"}), sort_keys=True),
         c.params.get("language_code", ""))
        for c in bot.fake.calls_to("setMyCommands")
    )  # fmt: skip
    scopes = [{"type": "default"}, {"type": "all_group_chats"}] + [
        {"type": "chat", "chat_id": chat} for chat in (bot.mod_chat.id, bot.mod.id, bot.admin.id)
    ]
    codes = ["", "en", "es", "fr", "de", "pt"]
    assert calls == Counter(
        {(json.dumps(scope, sort_keys=True), code): 1 for scope in scopes for code in codes}
    )
    for code in codes:
        public = [c["command"] for c in bot.fake.commands_for(language_code=code)]
        everything = bot.fake.commands_for({"type": "chat", "chat_id": bot.mod.id}, code)
        assert public[0] == "letter" and "pending" not in public
        assert [c["command"] for c in everything][: len(public)] == public
        assert "pending" in [c["command"] for c in everything]
    # The descriptions come from the catalogue, in each menu's language; the menu without a
    # code speaks the default language.
    letter = {code: bot.fake.commands_for(language_code=code)[0]["description"] for code in codes}
    assert letter[""] == letter["en"] == "Read the letter"
    assert letter["es"] == "Leer la carta"
    assert letter["pt"] == "Ler a carta"
    assert len(set(letter.values())) == 5


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


async def test_a_translated_letter_is_read_in_its_language_and_says_so(start_bot: Start) -> None:
    bot = await start_bot(letter=replace(LETTER, translations=(SPANISH_LETTER,)))
    sofia = bot.fake.new_user("Sofía", language_code="es")
    bot.fake.private_chat(sofia)
    letter = (await _text(bot, sofia, "/letter")).splitlines()
    assert letter[:4] == [
        "Ninguna música para ICE",
        "Esta es una traducción de la carta.",
        "",
        "Los artistas abajo firmantes nos comprometemos:",
    ]
    assert "2. Parar los servicios en la nube." in letter
    assert (await _text(bot, sofia, "/demands")).splitlines()[:3] == [
        "Lo que exige Ninguna música para ICE:",
        "Esta es una traducción de la carta.",
        "1. Rescindir los contratos.",
    ]
    assert await _text(bot, sofia, "/demands 2") == (
        "2. Parar los servicios en la nube.\nEsta es una traducción de la carta."
    )
    # No translation into English: the original, without a note.
    english = await _text(bot, bot.ada, "/letter")
    assert english.startswith("No Music For ICE\n\nWe the undersigned artists pledge:")
    assert "traducción" not in english
    assert await _text(bot, bot.ada, "/demands 2") == "2. Stop the cloud services."


async def test_a_live_post_and_its_button_speak_the_default_language(start_bot: Start) -> None:
    """A post is read by the whole group: the default language, not the poster's."""
    bot = await start_bot(language="de", letter=replace(LETTER, translations=(GERMAN_LETTER,)))
    mark = bot.fake.mark()
    await bot.say(bot.mod, bot.supergroup, "/postletter")  # Maud's client speaks English
    post = bot.sent(
        await bot.fake.wait_for(
            "sendMessage",
            lambda c: c.params["chat_id"] == bot.supergroup.id and "reply_markup" in c.params,
            since=mark,
        )
    )
    assert post["text"].splitlines()[:2] == [
        "Keine Musik für ICE",
        "Dies ist eine Übersetzung des Briefs.",
    ]
    [[button]] = post["reply_markup"]["inline_keyboard"]
    assert button["text"] == "✍️ Den Brief unterschreiben"


GERMAN_LETTER = LetterText(
    title="Keine Musik für ICE",
    preamble="Wir unterzeichnenden Künstlerinnen und Künstler verpflichten uns:",
    demands=(
        "Die Verträge kündigen.",
        "Die Cloud-Dienste einstellen.",
        "Die Projekte beenden.",
        "Künftige Aufträge ablehnen.",
    ),
    closing="Macht mit.",
    language="de",
)


async def test_a_chat_with_a_language_of_its_own_keeps_it(start_bot: Start) -> None:
    """``[i18n] channel_languages``: the mod chat's cards and the reasons under them, and a
    group's live post, in that chat's language; replies still in the reader's."""
    bot = await start_bot(chat_languages={"mod_chat": "es", "supergroup": "pt_BR"})
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    assert "desde telegram:private" in card["text"].splitlines()
    claire = replace(bot.mod, language_code="fr")
    mark = bot.fake.mark()
    answer = await bot.press_data(claire, card, f"pledge:reject:{sig.id}:c")
    assert answer.ok
    await bot.fake.wait_for("editMessageReplyMarkup", since=mark)
    reasons = bot.fake.message(bot.mod_chat.id, card["message_id"])
    assert reasons is not None
    labels = [b["text"] for row in reasons["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[-2:] == ["Otro motivo…", "« Volver"]

    mark = bot.fake.mark()
    await bot.say(bot.mod, bot.supergroup, "/postletter")
    post = bot.sent(
        await bot.fake.wait_for(
            "sendMessage",
            lambda c: c.params["chat_id"] == bot.supergroup.id and "reply_markup" in c.params,
            since=mark,
        )
    )
    [[button]] = post["reply_markup"]["inline_keyboard"]
    assert button["text"] == "✍️ Assinar a carta"
