"""Rendering through a catalogue: plurals by CLDR, numbers by locale, escaping by platform."""

from __future__ import annotations

import gettext
import html
import io

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n import (
    LANGUAGES,
    Command,
    Raw,
    Strong,
    Translator,
    match_language,
    msg,
    negotiate,
    nmsg,
    parse_accept_language,
    translator,
)
from bot.i18n.translator import DIGIT_GROUPS

SPANISH = """
msgid ""
msgstr ""
"Language: es\\n"
"Plural-Forms: nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "{count} signature so far."
msgid_plural "{count} signatures so far."
msgstr[0] "{count} firma hasta ahora."
msgstr[1] "{count} de firmas hasta ahora."
msgstr[2] "{count} firmas hasta ahora."

msgid "Thank you, {name}!"
msgstr "¡Gracias, {name}!"

msgctxt "command"
msgid "sign"
msgstr "firmar"

msgid "Signature {signature} is {state}."
msgstr "La firma {signature} está {state}."

msgid "approved"
msgstr "aprobada"
"""


@pytest.fixture
def spanish() -> Translator:
    catalogue = read_po(io.StringIO(SPANISH))
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translator("es", gettext.GNUTranslations(buffer))


def test_plural_forms_follow_the_language_and_numbers_its_grouping(spanish) -> None:
    one = "{count} signature so far."
    many = "{count} signatures so far."
    assert spanish.n(one, many, 1) == "1 firma hasta ahora."
    assert spanish.n(one, many, 10_000) == "10.000 firmas hasta ahora."
    assert spanish.n(one, many, 1_000_000) == "1.000.000 de firmas hasta ahora."
    assert translator("en").n(one, many, 1) == "1 signature so far."
    assert translator("en").n(one, many, 1000) == "1,000 signatures so far."


def test_context_keeps_short_words_apart(spanish) -> None:
    assert spanish.p("command", "sign") == "firmar"
    assert translator("en").p("command", "sign") == "sign"


def test_untranslated_text_falls_back_to_english(spanish) -> None:
    assert spanish.t("Only moderators can do that.") == "Only moderators can do that."


def test_values_are_escaped_for_the_platform_unless_raw(spanish) -> None:
    text = spanish.t("Thank you, {name}!", escape=html.escape, name="<b>Eve</b>")
    assert text == "¡Gracias, &lt;b&gt;Eve&lt;/b&gt;!"
    bold = spanish.t("Thank you, {name}!", escape=html.escape, name=Raw("<b>Eve</b>"))
    assert bold == "¡Gracias, <b>Eve</b>!"


def test_with_the_template_unescaped_every_kind_of_value_is_still_escaped_once() -> None:
    """Discord's replies (``escape_template=False``): the sentence as written, each value
    escaped once, what is already markup (Raw, a nested sentence, bold) left as it is."""
    said = msg(
        "<{name}> <{raw}> <{count}> <{strong}> <{bold_name}> <{inner}> <{cmd}>",
        name="<Eve>",
        raw=Raw("<i>x</i>"),
        count=1234,
        strong=Strong(5678),
        bold_name=Strong("<Bo>"),
        inner=msg("in <{who}>", who="<Al>"),
        cmd=Command("sign"),
    )
    text = translator().render(
        said, escape=html.escape, strong=lambda t: f"**{t}**", escape_template=False
    )
    assert text == (
        "<&lt;Eve&gt;> <<i>x</i>> <1,234> <**5,678**> <**&lt;Bo&gt;**> <in <&lt;Al&gt;>> </sign>"
    )


def test_a_value_is_never_read_as_a_format_string(spanish) -> None:
    assert spanish.t("Thank you, {name}!", name="{name} {0} {__class__}") == (
        "¡Gracias, {name} {0} {__class__}!"
    )


def test_core_messages_render_in_the_readers_language(spanish) -> None:
    state = msg("approved")
    note = msg("Signature {signature} is {state}.", signature="#12", state=state)
    assert spanish.render(note) == "La firma #12 está aprobada."
    assert str(note) == "Signature #12 is approved."
    plural = nmsg("{count} signature so far.", "{count} signatures so far.", 2)
    assert spanish.render(plural) == "2 firmas hasta ahora."


def test_a_command_is_named_as_the_readers_platform_lists_it() -> None:
    said = msg("Use {sign} to add your name.", sign=Command("sign"))
    # Not in the catalogue: the English text; without an adapter's names, the command as typed.
    assert translator("es").render(said) == "Use /sign to add your name."
    localized = translator("es").with_commands(lambda tr, name: "/" + tr.p("command name", name))
    assert localized.render(said) == "Use /firmar to add your name."
    inner = msg("Note: {what}", what=said)
    assert localized.render(inner, escape=html.escape) == "Note: Use /firmar to add your name."
    assert translator().render(inner) == "Note: Use /sign to add your name."


def test_an_unknown_placeholder_stays_visible_instead_of_failing(spanish) -> None:
    assert spanish.t("Thank you, {name}!") == "¡Gracias, {name}!"


@pytest.mark.parametrize(
    ("tags", "language"),
    [
        (["es-ES"], "es"),
        (["es-419"], "es"),
        (["pt-BR"], "pt_BR"),
        (["pt"], "pt_BR"),
        (["de"], "de"),
        (["FR-ca"], "fr"),
        (["en-GB"], "en"),
        (["ja", "fr"], "fr"),
        (["ja", None, ""], "en"),
        ([], "en"),
    ],
)
def test_platform_tags_pick_a_catalogue_language(tags, language) -> None:
    assert negotiate(tags) == language


def test_a_default_language_is_used_when_nothing_matches() -> None:
    assert negotiate(["ja"], default="de") == "de"
    assert match_language("zz") is None


def test_accept_language_is_read_by_weight_and_survives_garbage() -> None:
    header = "ja;q=0.9, de;q=0.5, fr-CH, fr;q=0.95, en;q=0, *;q=0.1"
    assert parse_accept_language(header) == ["fr-CH", "fr", "ja", "de"]
    assert negotiate(parse_accept_language(header)) == "fr"
    assert parse_accept_language("de;q=abc, ,;;, es") == ["es"]
    assert parse_accept_language("x," * 10_000) == ["x"] * 16
    assert parse_accept_language(None) == []


def test_every_language_has_a_compiled_catalogue() -> None:
    for language in ("en", "es", "fr", "de", "pt_BR"):
        assert translator(language).language == language
    assert translator("xx").language == "en"


def test_a_text_rendered_for_a_discord_reader_names_their_clients_commands_in_any_process() -> None:
    """The outbox's notifications are rendered by whichever process decided (a Telegram-only
    bot approving a Discord signer, say): the naming is the core's, not an adapter's to
    register, so it holds with no Discord adapter in the process."""
    import subprocess
    import sys

    script = (
        "from bot.i18n import Command, msg, translator_for\n"
        "said = msg('Use {sign} to add your name.', sign=Command('sign'))\n"
        "print(translator_for('discord', 'es').render(said))\n"
        "print(translator_for('telegram', 'es').render(said))\n"
        "import sys; assert 'adapters.discord' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    discord_line, telegram_line = done.stdout.splitlines()
    assert "/firmar" in discord_line and "/sign" not in discord_line
    assert "/sign" in telegram_line


WHOLE_NUMBERS = (0, 7, 999, 1000, 9999, 10_000, 123_456, 990_000, 1_000_000, 987_654_321, -1000)


@pytest.mark.parametrize("language", LANGUAGES)
def test_whole_numbers_are_written_as_babels_cldr_data_writes_them(language) -> None:
    """Whole numbers come from a small table (Babel's locale data stays unloaded for them):
    it must write every number as Babel would, in every language the catalogue has."""
    from babel.numbers import format_decimal

    assert language in DIGIT_GROUPS
    for value in WHOLE_NUMBERS:
        assert translator(language).number(value) == format_decimal(value, locale=language)


def test_a_bot_that_has_only_counted_never_loads_babel() -> None:
    """Counts past 999 in every language, in a fresh process: Babel (about 7 MB of locale data
    once a number is formatted through it) is not imported for them."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from bot.i18n import LANGUAGES, nmsg, translator\n"
        "count = nmsg('{count} signature so far.', '{count} signatures so far.', 990_000)\n"
        "for language in LANGUAGES:\n"
        "    print(translator(language).render(count))\n"
        "assert 'babel' not in sys.modules, 'babel was imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines()[0] == "990,000 signatures so far."
    assert "990\u202f000" in done.stdout.splitlines()[2]
