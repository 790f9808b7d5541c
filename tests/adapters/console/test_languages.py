"""The console speaks the language it is given: ``--lang``, else ``[console] language``, else
``[i18n] default_language`` — the real ``pledgebot console``, piped, on a real SQLite file.

Posts to channels (the console's ``[announcement]`` and ``[mod queue]`` lines) speak the
channel's language, and a signer's notification the language they signed in, whatever the
console's own language is.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.conftest import Pledgebot

SESSION = """\
/help
/letter
/sign Ada Lovelace | Komponistin | Wien
/sign Ada again
/status
/frobnicate
/signatories zwei
/as mod
/approve 1
/approve 1
"""


def _with(config: Path, old: str, new: str) -> None:
    text = config.read_text()
    assert old in text, old
    config.write_text(text.replace(old, new))


def test_console_with_lang_de_speaks_german(pledgebot: Pledgebot, config: Path) -> None:
    result = pledgebot("console", "--config", str(config), "--lang", "de", stdin=SESSION)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # help: the core's command summaries and the console's own words
    assert "Befehle:" in out and "Moderation:" in out and "Konsole:" in out
    assert "den Brief lesen" in out and "als anderer Benutzer handeln" in out
    # the letter's count line, and signing
    assert "Bisher 0 Unterschriften. Nächstes Etappenziel: 2." in out
    assert "Danke! Unterschrift #1 ist gespeichert und wartet auf die Freigabe" in out
    assert "Du unterschreibst als Ada Lovelace." in out
    assert "Du hast schon unterschrieben: Unterschrift #1 wartet auf Freigabe." in out
    assert "Stand: wartet auf die Freigabe durch die Moderation." in out
    # mistakes, in German too
    assert "Unbekannter Befehl /frobnicate. Versuch es mit /help." in out
    assert "Die Seite muss eine Zahl sein, zum Beispiel 2." in out
    # moderating
    assert "#1 freigegeben: Ada Lovelace." in out
    assert "Unterschrift #1 wurde bereits von mod freigegeben." in out
    # no English reply slipped through
    for english in ("signatures so far", "Thank you!", "Unknown command", "Only moderators"):
        assert english not in out, english


def test_posts_speak_the_channels_language_and_notes_the_signers(
    pledgebot: Pledgebot, config: Path
) -> None:
    """The console in French; its channels in the default language (English); Ada signed in
    French, so the note that her signature was approved is French."""
    result = pledgebot("console", "--config", str(config), "--lang", "fr", stdin=SESSION)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Merci ! La signature n°1 est enregistrée" in out
    assert "[mod queue] #1 awaits approval: Ada Lovelace, Komponistin, Wien" in out
    assert re.search(r"^\[mod queue\] #1 approved by mod\.$", out, re.M)
    assert (
        "[to artist] Votre signature n°1 sur « No Music For ICE » a été approuvée. "
        "Merci d’avoir signé !" in out
    )


def test_console_language_from_the_configuration_and_lang_wins(
    pledgebot: Pledgebot, config: Path
) -> None:
    _with(config, 'language = ""', 'language = "es"')
    spanish = pledgebot("console", "--config", str(config), stdin="/count\n")
    assert spanish.returncode == 0, spanish.stderr
    assert "0 firmas hasta ahora. Próximo hito: 2." in spanish.stdout
    german = pledgebot("console", "--config", str(config), "--lang", "de", stdin="/count\n")
    assert "Bisher 0 Unterschriften. Nächstes Etappenziel: 2." in german.stdout


def test_channel_languages_give_the_console_channels_their_own(
    pledgebot: Pledgebot, config: Path
) -> None:
    _with(
        config,
        '# channel_languages = { "discord:123456789012345678" = "es", '
        '"telegram:-1001234567890" = "pt_BR" }',
        'channel_languages = { "console" = "pt_BR" }',
    )
    result = pledgebot("console", "--config", str(config), stdin=SESSION)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[mod queue] #1 aguarda aprovação: Ada Lovelace, Komponistin, Wien" in out
    assert "Thank you! Signature #1 is recorded" in out  # the console itself: English


def test_an_unknown_language_is_refused_before_anything_starts(
    pledgebot: Pledgebot, config: Path
) -> None:
    result = pledgebot("console", "--config", str(config), "--lang", "tlh", stdin="/count\n")
    assert result.returncode == 2
    assert "invalid choice: 'tlh'" in result.stderr
    _with(config, 'language = ""', 'language = "es-ES"')
    result = pledgebot("console", "--config", str(config), stdin="/count\n")
    assert result.returncode == 2 and "write the language as es" in result.stderr
