"""Plain-text rendering of core results for the terminal, in the console's language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import AuditEntry, PendingItem, SignatoriesPage
from bot.i18n import Translator
from bot.moderation import Decision
from bot.service import Overview
from bot.texts import cards, command_help, lists, moderation, signatures

__all__ = ["audit", "decisions", "letter", "pending", "signatories"]


def letter(tr: Translator, view: Overview) -> str:
    text = view.letter
    lines = [text.title.upper(), ""]
    if text.preamble:
        lines += [text.preamble, ""]
    lines += [f"  {n}. {d}" for n, d in enumerate(text.demands, 1)]
    if text.closing:
        lines += ["", text.closing]
    lines += [
        "",
        count_line(tr, view.count, view.next_milestone),
        tr.t("Sign with: {usage}", usage=tr.render(command_help.SIGN_USAGE)),
    ]
    return "\n".join(lines)


def count_line(tr: Translator, count: int, next_milestone: int | None) -> str:
    return tr.render(lists.count_line(count, next_milestone))


def signatories(tr: Translator, page: SignatoriesPage) -> str:
    if not page.signatures:
        text = tr.render(lists.NO_ONE_LISTED)
    else:
        lines = [tr.render(lists.signatories_heading(page.page, page.pages))]
        for s in page.signatures:
            described = signatures.describe_signature(s, earlier_text=page.earlier_text(s))
            lines.append(f"  #{s.id} {tr.render(described)}")
        if page.has_next:
            lines.append(tr.t("More: /signatories {page}", page=page.page + 1))
        text = "\n".join(lines)
    if page.anonymous:
        text += "\n" + tr.render(lists.unlisted_line(page.anonymous))
    return text


def pending(tr: Translator, items: Sequence[PendingItem]) -> str:
    if not items:
        return tr.render(moderation.NONE_PENDING)
    blocks = [tr.render(cards.mod_queue_summary(item)) for item in items]
    return "\n".join(blocks) + "\n" + tr.t("Decide with /approve ID… or /reject ID… REASON.")


def decisions(tr: Translator, results: Sequence[Decision]) -> str:
    return "\n".join(tr.render(d.describe()) for d in results)


def audit(tr: Translator, entries: Sequence[AuditEntry]) -> str:
    if not entries:
        return tr.render(moderation.AUDIT_EMPTY)
    return "\n".join(
        f"{e.at:%Y-%m-%d %H:%M:%S} {tr.render(moderation.audit_entry(e))}" for e in entries
    )
