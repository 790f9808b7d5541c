"""The page in the reader's language: ``?lang=``, then ``Accept-Language``, then the default;
numbers and dates as the language writes them; the letter's translation when there is one;
links between the languages; the same safety in every language."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from adapters.web import publish_site
from adapters.web.render import Renderer
from bot.domain import LetterText
from bot.i18n import LANGUAGES
from tests.conftest import LETTER, MOD
from tests.web.conftest import HOSTILE_NAMES, Site, serve_site
from tests.web.test_routes import _tags, _text

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
#: Each language's words for "N signatures so far", with 1000 as the language writes it.
THOUSAND = {
    "en": "1,000 signatures so far",
    "es": "1.000 firmas hasta ahora",
    "fr": "1 000 signatures à ce jour",
    "de": "1.000 Unterschriften bisher",
    "pt_BR": "1.000 assinaturas até agora",
}


async def _language_of(site: Site, path: str = "/", **headers: str) -> tuple[str, str]:
    """The page's ``<html lang>`` and its text."""
    status, response_headers, body = await site.get(path, headers=headers)
    assert status == 200, (path, status)
    lang = re.search(r'<html lang="([^"]+)">', body.decode())
    assert lang is not None
    assert response_headers["Content-Language"] == lang.group(1)
    assert response_headers["Vary"] == "Accept-Language"
    return lang.group(1), _text(body)


async def test_lang_in_the_address_gives_that_language_and_its_numbers(site: Site) -> None:
    await site.insert_raw("Early", n=1000)
    for language, words in THOUSAND.items():
        tag = language.replace("_", "-")
        lang, text = await _language_of(site, f"/?lang={tag}")
        assert lang == tag
        assert words in text, (language, text[:400])
    _, text = await _language_of(site, "/?lang=es")
    assert "Añade tu nombre" in text and "Firma en Discord" in text
    assert "Últimos firmantes" in text and "Early 1000" in text
    assert "1.000 con su nombre en la lista, 0 sin nombre." in text
    assert "Add your name" not in text and "signatures" not in text


async def test_each_way_to_sign_names_the_command_its_platform_lists(site: Site) -> None:
    """A Spanish reader's Discord client lists /firmar, Telegram lists /sign in every language:
    beside each link, the page names the command to use there."""
    ways = re.compile(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a> <code>([^<]+)</code></li>')
    _, _, spanish = await site.get("/?lang=es")
    _, _, english = await site.get("/?lang=en")

    assert ways.findall(spanish.decode()) == [
        ("https://discord.gg/example", "Firma en Discord", "/firmar"),
        ("https://t.me/ExampleBot", "Firma en Telegram", "/sign"),
    ]
    assert [command for *_, command in ways.findall(english.decode())] == ["/sign", "/sign"]


async def test_accept_language_picks_the_language_when_the_address_does_not(
    site: Site,
) -> None:
    await site.insert_raw("Early", n=1000)
    lang, text = await _language_of(site, "/", **{"Accept-Language": "es-ES,es;q=0.9"})
    assert lang == "es" and THOUSAND["es"] in text
    lang, text = await _language_of(site, "/", **{"Accept-Language": "de"})
    assert lang == "de" and THOUSAND["de"] in text and "Setzen Sie Ihren Namen darunter" in text
    lang, _ = await _language_of(site, "/", **{"Accept-Language": "tlh, de;q=0.5, fr;q=0.8"})
    assert lang == "fr"  # by weight, past what pledgebot does not speak
    lang, _ = await _language_of(site, "/", **{"Accept-Language": "pt-BR"})
    assert lang == "pt-BR"
    # ?lang= is the reader's own choice: it wins over what the browser asks for.
    lang, _ = await _language_of(site, "/?lang=de", **{"Accept-Language": "es-ES,es;q=0.9"})
    assert lang == "de"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/", {}),
        ("/?lang=tlh", {}),
        ("/?lang=", {}),
        ("/?lang=%3Cscript%3E", {}),
        ("/", {"Accept-Language": "tlh, zz;q=0.5"}),
        ("/", {"Accept-Language": "*"}),
        ("/", {"Accept-Language": "es;q=0, ;;;, q=x"}),
        ("/", {"Accept-Language": "es;q=abc"}),
        ("/", {"Accept-Language": "x" * 4000}),
    ],
)
async def test_an_unknown_or_malformed_choice_gives_the_default_language(
    site: Site, path: str, headers: dict[str, str]
) -> None:
    lang, text = await _language_of(site, path, **headers)
    assert lang == "en" and "0 signatures so far" in text


async def test_an_unknown_lang_falls_back_to_accept_language(site: Site) -> None:
    lang, _ = await _language_of(site, "/?lang=tlh", **{"Accept-Language": "es"})
    assert lang == "es"


async def test_the_configured_default_language_serves_who_asks_for_none(
    tmp_path: Path,
) -> None:
    async with serve_site(tmp_path, default_language="de") as site:
        lang, text = await _language_of(site, "/")
        assert lang == "de" and "0 Unterschriften bisher" in text
        lang, _ = await _language_of(site, "/", **{"Accept-Language": "tlh"})
        assert lang == "de"
        lang, _ = await _language_of(site, "/?lang=en")
        assert lang == "en"


async def test_every_page_and_error_speaks_the_language(site: Site) -> None:
    await site.insert_raw("Early", n=150)
    _, text = await _language_of(site, "/signatories?page=2&lang=es")
    assert "Firmantes, página 2 de 2" in text and "Página anterior" in text
    assert "150 firmas: 150 con su nombre en la lista" in text
    _, text = await _language_of(site, "/signatories", **{"Accept-Language": "fr-CA"})
    assert "Signataires, page 1 sur 2" in text and "Page suivante" in text
    status, headers, body = await site.get("/nope?lang=de")
    assert status == 404 and headers["Content-Language"] == "de"
    assert "Diese Seite gibt es nicht." in _text(body)
    assert headers["Vary"] == "Accept-Language"
    status, _, body = await site.get("/signatories?page=9", headers={"Accept-Language": "pt-BR"})
    assert status == 404 and "Esta página não existe." in _text(body)
    async with site.http.post(site.url + "?lang=es", data=b"x") as response:
        assert response.status == 405
        assert "Esta página solo se puede leer" in _text(await response.read())


async def test_the_footer_and_chart_write_dates_and_numbers_in_the_language(site: Site) -> None:
    await site.sign(1, "Alice")
    taken = await site.service.take_snapshot(MOD)
    _, text = await _language_of(site, "/?lang=de")
    assert f"Letzte Momentaufnahme: {taken.sha256} , " in text  # the hash is a link
    stamp = text.split(f"{taken.sha256} , ", 1)[1].split(", 1 Unterschrift")[0]
    assert re.fullmatch(r"\d+\. [A-ZÄÖÜa-zäöüß]+ \d{4}, \d\d:\d\d:\d\d UTC", stamp), stamp
    assert "1 Unterschrift. Prüfen Sie sie mit pledgebot verify ." in text
    _, _, body = await site.get("/?lang=de")
    title = re.search(r'<title id="chart-title">([^<]*)</title>', body.decode())
    assert title is not None and re.fullmatch(
        r"Vom \d\d\.\d\d\.\d{4} bis \d\d\.\d\d\.\d{4}: 1 Name aufgeführt\.", title.group(1)
    ), title


async def test_language_links_lead_to_the_same_page_in_each_language(site: Site) -> None:
    await site.insert_raw("Early", n=150)
    for path in ("/?lang=es", "/signatories?page=2&lang=es"):
        _, _, body = await site.get(path)
        links = {a["hreflang"]: a["href"] for t, a in _tags(body) if t == "a" and a.get("hreflang")}
        assert set(links) == {"en", "fr", "de", "pt-BR"}  # Spanish is the page itself
        for tag, href in links.items():
            assert href is not None
            lang, _ = await _language_of(site, "/" + href)
            assert lang == tag
            if "signatories" in path:
                assert "page=2" in href
    # The page's own links keep the reader's choice, whatever their browser asks for.
    _, _, body = await site.get("/?lang=fr", headers={"Accept-Language": "de"})
    hrefs = [a.get("href") for t, a in _tags(body) if t == "a"]
    assert "signatories?lang=fr" in hrefs and "./?lang=fr" in hrefs


async def test_the_letter_is_shown_in_its_translation_marked_as_one(tmp_path: Path) -> None:
    letter = replace(LETTER, translations=(SPANISH,))
    async with serve_site(tmp_path, letter=letter) as site:
        _, _, body = await site.get("/?lang=es")
        html, text = body.decode(), _text(body)
        assert f"<h1>{SPANISH.title}</h1>" in html and "<title>Ninguna música para ICE" in html
        for demand in SPANISH.demands:
            assert f"<li>{demand}</li>" in html
        assert "Esta es una traducción de la carta. Leer el original" in text
        assert '<a href="#original">' in html
        original = html[html.index('<details id="original"') :]
        assert f"<h2>{LETTER.title}</h2>" in original
        assert all(f"<li>{d}</li>" in original for d in LETTER.demands)
        for language in ("en", "de"):  # the original, not marked
            _, _, body = await site.get(f"/?lang={language}")
            assert f"<h1>{LETTER.title}</h1>" in body.decode()
            assert "original" not in body.decode() and SPANISH.title not in body.decode()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_language_escapes_names_and_loads_only_its_own_files(
    site: Site, language: str
) -> None:
    for n, name in enumerate(HOSTILE_NAMES, 1):
        await site.sign(n, name, role='"><b>x</b>')
    await site.insert_raw("Mallory", "javascript:alert(1)")
    tag = language.replace("_", "-")
    for path in (f"/?lang={tag}", f"/signatories?lang={tag}", f"/nope?lang={tag}"):
        status, headers, body = await site.get(path)
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        tags = _tags(body)
        assert [t for t, _ in tags if t in ("img", "b", "i")] == []
        assert not any(k.startswith("on") for _, a in tags for k in a)
        assert not any("javascript:" in (a.get("href") or "") for _, a in tags)
        for t, attrs in tags:
            assert "style" not in attrs
            if t == "script":
                assert attrs.get("src") == "static/live.js"
            if t != "a":
                for name in ("src", "href"):
                    assert not re.match(r"^[a-z]+:|^//", attrs.get(name) or ""), (t, attrs)
        assert "<style" not in body.decode()
        if status == 200:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body.decode()


async def test_the_static_site_has_every_language_linked_to_the_others(
    site: Site, tmp_path: Path
) -> None:
    await site.insert_raw("Early", n=1000)
    target = tmp_path / "public"
    await publish_site(site.service.public, target, default_language="de")
    folders = {"de": target, "en": target / "en", "es": target / "es", "fr": target / "fr"}
    folders["pt_BR"] = target / "pt-BR"
    for language, folder in folders.items():
        index = (folder / "index.html").read_bytes()
        assert f'<html lang="{language.replace("_", "-")}">' in index.decode()
        assert THOUSAND[language] in _text(index)
        assert (folder / "signatories-10.html").is_file() and (folder / "404.html").is_file()
        for _, attrs in _tags(index):
            href = attrs.get("href") or attrs.get("src") or ""
            if href and not urlsplit(href).scheme:
                assert (folder / urlsplit(href).path).resolve().is_file(), (language, href)
        switch = {a["hreflang"]: a["href"] for _, a in _tags(index) if a.get("hreflang")}
        assert len(switch) == len(LANGUAGES) - 1
        for tag, href in switch.items():
            assert href is not None
            other = (folder / href).resolve()
            assert f'<html lang="{tag}">' in other.read_text()
    assert not (target / "de").exists()  # the default language is the root
    assert "Firmantes, página 2 de 10" in _text((target / "es" / "signatories-2.html").read_bytes())


class _Words(HTMLParser):
    """The words a template's own text would show a reader: text and the attributes read out.
    A ``<code>`` element is a command to type (``pledgebot verify``), the same in every language."""

    SHOWN = ("title", "alt", "aria-label", "placeholder", "label")

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.in_code = 0

    def handle_endtag(self, tag: str) -> None:
        self.in_code -= tag == "code"

    def _take(self, text: str) -> None:
        self.words += re.findall(r"[^\W\d_]{2,}", text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_code += tag == "code"
        for name, value in attrs:
            if name in self.SHOWN and value:
                self._take(value)

    def handle_data(self, data: str) -> None:
        if not self.in_code:
            self._take(data)


def test_the_templates_say_nothing_outside_the_catalogue() -> None:
    """A sentence typed into a template would reach every reader in English: each one goes
    through ``t``/``n``/``p`` (and so into the catalogue the tests keep complete)."""
    env = Renderer().env
    assert env.loader is not None
    names = env.list_templates(extensions=["html"])
    assert "index.html" in names
    for name in names:
        source = env.loader.get_source(env, name)[0]
        parser = _Words()
        parser.feed("".join(value for _, kind, value in env.lex(source) if kind == "data"))
        assert parser.words == [], (name, parser.words)
