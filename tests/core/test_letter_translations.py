"""Translated letters: a reader sees their language's complete translation, marked as one; the
version every signature records stays the original's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import build_letter
from bot.config import ConfigError, load_settings
from bot.domain import LetterText, SignatureForm
from tests.conftest import LETTER, ServiceFactory, artist

SPANISH = LetterText(
    "Ninguna música para ICE",
    "Los artistas abajo firmantes nos comprometemos:",
    (
        "Rescindir los contratos.",
        "Dejar los servicios en la nube.",
        "Terminar los proyectos.",
        "Rechazar futuros compromisos.",
    ),
    "Únanse.",
    "es",
)
TRANSLATED = replace(LETTER, translations=(SPANISH,))


def test_a_reader_gets_their_languages_translation_marked_as_one() -> None:
    text = TRANSLATED.in_language("es")
    assert text.title == "Ninguna música para ICE"
    assert text.is_translation and text.language == "es"
    assert "1. Rescindir los contratos." in text.text


@pytest.mark.parametrize("language", ["fr", "en", None, "xx"])
def test_without_a_translation_the_reader_gets_the_original(language: str | None) -> None:
    text = TRANSLATED.in_language(language)
    assert text == LETTER.original
    assert not text.is_translation
    assert text.text == LETTER.text


def test_translations_do_not_change_the_version() -> None:
    edited = replace(SPANISH, closing="¡Únanse ya!")
    assert TRANSLATED.version == LETTER.version
    assert replace(LETTER, translations=(edited,)).version == LETTER.version
    assert replace(LETTER, closing="Join us now.").version != LETTER.version


def test_an_incomplete_translation_is_not_shown() -> None:
    """A reader would sign demands they never read: they see the original instead."""
    short = replace(SPANISH, demands=SPANISH.demands[:3], closing="")
    letter = replace(LETTER, translations=(short,))
    assert letter.in_language("es") == LETTER.original
    (check,) = letter.translation_checks()
    assert not check.complete
    assert (check.demands, check.of_demands, check.missing) == (3, 4, ("closing",))
    assert letter.languages == ()
    assert TRANSLATED.languages == ("es",)
    assert TRANSLATED.translation_checks()[0].complete


def test_a_part_the_original_lacks_is_not_missing() -> None:
    bare = replace(LETTER, preamble="", closing="")
    translation = replace(SPANISH, preamble="", closing="")
    assert bare.check(translation).complete


async def test_signatures_keep_the_originals_version(make_service: ServiceFactory) -> None:
    """On every store: a signature made beside a translation records the original's version,
    and editing the translation afterwards does not tell its signer the letter changed."""
    service = make_service(letter=TRANSLATED)
    await service.start()
    result = await service.sign(artist(1), SignatureForm("Ana"), community="console")
    assert result.signature.letter_version == LETTER.version

    edited = replace(SPANISH, demands=(*SPANISH.demands[:3], "Rechazar todo compromiso."))
    later = make_service(letter=replace(LETTER, translations=(edited,)))
    await later.start()
    assert not (await later.status(artist(1))).letter_changed


def _config(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[letter]\ntitle = "T"\npreamble = "P"\ndemands = ["A", "B"]\n' + extra)
    return path


def test_translations_come_from_the_config(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        '[letter.translations.pt_BR]\ntitle = " Título "\npreamble = "Pre"\n'
        'demands = [" Um ", "Dois"]\n'
        '[letter.translations.fr]\ntitle = "Titre"\ndemands = ["Un"]\n',
    )
    settings, _ = load_settings(path)
    letter = build_letter(settings)
    assert letter.in_language("pt_BR") == LetterText("Título", "Pre", ("Um", "Dois"), "", "pt_BR")
    assert letter.in_language("fr").title == "T"  # one demand of two, no preamble: not shown
    assert letter.version == build_letter(load_settings(_config(tmp_path, ""))[0]).version


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ("xx", "[letter.translations.xx]: pledgebot does not speak 'xx'; a translation can be "
               "in en, es, fr, de, pt_BR"),
        ("pt-BR", "[letter.translations.pt-BR]: write the language as pt_BR"),
    ],
)  # fmt: skip
def test_an_unknown_language_is_named(tmp_path: Path, table: str, says: str) -> None:
    path = _config(tmp_path, f'[letter.translations."{table}"]\ntitle = "X"\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert says in str(raised.value) and str(path) in str(raised.value)


def test_a_blank_translated_demand_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, '[letter.translations.es]\ndemands = ["Uno", " "]\n')
    with pytest.raises(ConfigError, match=r"letter\.translations\.es\.demands: a demand cannot"):
        load_settings(path)


def test_an_unknown_key_in_a_translation_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, '[letter.translations.es]\ntitel = "Uno"\n')
    with pytest.raises(ConfigError, match=r"letter\.translations\.es\.titel: unknown key"):
        load_settings(path)
