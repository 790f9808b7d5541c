"""Hostile text in every console command line and every answer of the step-by-step sign form.

Lines go through :meth:`adapters.console.commands.ConsoleCommands.handle` — the console adapter's
own command handler — over the real core and a real SQLite file, with hypothesis drawing the
lines; see :mod:`tests.hostile` for how one long-lived service meets thousands of examples.

For every line: ``handle`` answers (it never raises), nothing is logged as an error, a refusal is
the core's own clear sentence (oversize fields say "too long" and the limit), and whatever was
stored is visible, inert text — no control, zero-width or bidi character, no live mention — that
is shown back literally.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import strategies as st

from adapters.console.commands import ConsoleCommands, Session
from bot.domain import Actor, Identity, SignatureForm, Status
from bot.errors import InvalidInput
from bot.forms import parse_ids_and_reason, parse_sign_line
from bot.hygiene import clean_reason
from bot.service import PledgeService
from bot.texts import signing
from tests.conftest import ServiceFactory
from tests.dbdump import dump_url
from tests.hostile import (
    FIELD_ORDER,
    Counter,
    assert_clear_refusal,
    assert_database_inert,
    assert_inert,
    assert_refused_if_oversize,
    explore,
    hostile_settings,
    hostile_text,
    obviously_too_long,
    sign_form,
    sign_line,
    verdict,
)

REFUSED = "Only moderators can do that."
APOLOGY = "something went wrong"
MODERATOR_COMMANDS = ("/pending", "/approve", "/reject", "/remove", "/export", "/audit")
OTHER_COMMANDS = (
    "/help", "/start", "/letter", "/demands", "/status", "/withdraw", "/count", "/signatories",
    "/as", "/SIGN", "/Sign-Anonymous", "/link", "/unlink", "/nope", "/", "//",
)  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One console line: ``command args``, typed by a moderator or not. ``target``: the
    /reject or /remove names a real pending signature; ``answers``: a bare /sign asks these."""

    command: str
    args: str
    moderator: bool = False
    target: bool = False
    answers: tuple[str | None, ...] = ()


def lines() -> st.SearchStrategy[Line]:
    text = hostile_text()
    return st.one_of(
        st.builds(Line, st.sampled_from(["/sign", "/sign-anonymous"]), sign_line()),
        st.builds(
            Line,
            st.just("/sign"),
            st.just(""),
            answers=st.one_of(
                sign_form().map(lambda form: tuple(form.values())),
                st.lists(st.one_of(text, st.none()), min_size=4, max_size=4).map(tuple),
            ),
        ),
        st.builds(
            Line,
            st.sampled_from(["/reject", "/remove"]),
            text,
            moderator=st.just(True),
            target=st.just(True),
        ),
        st.builds(Line, st.sampled_from(MODERATOR_COMMANDS), text, moderator=st.booleans()),
        st.builds(Line, st.sampled_from(OTHER_COMMANDS), text, moderator=st.booleans()),
        st.builds(Line, st.just(""), text),  # no command at all
    )


@pytest.fixture
async def service(make_service: ServiceFactory) -> AsyncIterator[PledgeService]:
    svc = make_service(thresholds=(5, 50))
    await svc.start()
    yield svc


async def test_hostile_console_lines(
    service: PledgeService, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    fresh = Counter()
    moderator = Actor(Identity("console", "mod"), "mod", is_moderator=True)

    async def check(line: Line) -> None:
        user = f"u{fresh()}"
        session = Session(user, frozenset({user} if line.moderator else ()))
        answers = list(line.answers)

        async def ask(question: str) -> str | None:
            return answers.pop(0)

        commands = ConsoleCommands(service, ask=ask if line.answers else None)
        target = None
        args = line.args
        if line.target:
            signer = Actor(Identity("console", f"{user}-signer"), "signer")
            made = await service.sign(signer, SignatureForm("Target"), community="console")
            target = made.signature.id
            args = f"{target} {args}"
        typed = f"{line.command} {args}" if line.command else args
        logged = len(caplog.records)

        reply = await commands.handle(session, typed)

        assert isinstance(reply, str)
        assert APOLOGY not in reply
        errors = [r for r in caplog.records[logged:] if r.levelno >= logging.ERROR]
        assert not errors, [r.getMessage() for r in errors]
        word, _, rest = typed.strip().partition(" ")
        if word.lower() in ("/sign", "/sign-anonymous"):
            await _check_signing(service, session, rest.strip(), line.answers, reply)
        elif word.lower() in MODERATOR_COMMANDS and not line.moderator:
            assert reply == REFUSED, reply
        if target is not None:
            await _check_decision(service, moderator, target, line, reply)

    await explore(lines(), check, config=hostile_settings())
    assert_database_inert(dump_url(db_url))


async def _check_signing(
    service: PledgeService,
    session: Session,
    rest: str,
    answers: Sequence[str | None],
    reply: str,
) -> None:
    """The reply is the core's verdict on the form, and only a valid form was stored."""
    stored = (await service.status(session.actor.identity)).signature
    if not rest and not answers:
        assert reply.startswith("Usage: /sign"), reply
        assert stored is None
        return
    if not rest and None in answers:
        assert reply == str(signing.SIGNING_CANCELLED), reply
        assert stored is None
        return
    fields = _fields(rest, answers)
    assert_refused_if_oversize(fields, stored is not None)
    try:
        form = parse_sign_line(rest) if rest else SignatureForm(**fields)
    except InvalidInput as exc:
        assert reply == str(exc.message), (reply, str(exc.message))
        assert stored is None
        return
    clean = verdict(form)
    if isinstance(clean, InvalidInput):
        assert reply == str(clean.message), (reply, str(clean.message))
        assert stored is None
        assert_clear_refusal(fields, clean)
        return
    assert stored is not None, reply
    assert reply == str(signing.sign_confirmation(stored))
    assert stored.status is Status.PENDING
    shown = (stored.name, stored.role, stored.location, stored.link)
    assert shown == (clean.name, clean.role, clean.location, clean.link)
    for field in FIELD_ORDER:
        assert_inert(getattr(stored, field), field)


def _fields(rest: str, answers: Sequence[str | None]) -> dict[str, str]:
    parts = [p.strip() for p in rest.split("|")] if rest else [a or "" for a in answers]
    return dict(zip(FIELD_ORDER, parts, strict=False))


async def _check_decision(
    service: PledgeService, moderator: Actor, target: int, line: Line, reply: str
) -> None:
    """A moderator's reason is stored inert, or refused with the core's own sentence. Numbers
    at the start of the hostile text are more signature ids (``/reject ID… REASON``), and the
    reason is the rest, as the core's parser reads it."""
    sig = (await service.mod_queue.item(target)).signature
    try:
        _, reason = parse_ids_and_reason(f"{target} {line.args}", line.command.lstrip("/"))
    except InvalidInput:
        assert reply == f"Usage: {line.command} ID… REASON", reply
        assert sig.status is Status.PENDING
        return
    if obviously_too_long(reason, "reason"):
        assert sig.status is Status.PENDING, f"decided with a reason of {len(reason)} characters"
    try:
        why = clean_reason(reason)
    except InvalidInput as exc:
        assert reply == str(exc.message), (reply, str(exc.message))
        assert sig.status is Status.PENDING
        assert_clear_refusal({"reason": reason}, exc)
        return
    assert sig.status in (Status.REJECTED, Status.REMOVED), (reply, sig)
    assert sig.reason == why
    assert_inert(sig.reason, "reason")
    [entry] = [e for e in await service.audit(moderator, 5) if e.signature_id == target]
    assert entry.reason == why
