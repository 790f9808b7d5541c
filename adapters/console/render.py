"""Plain-text rendering of core results for the terminal, in the console's language."""

from __future__ import annotations

from collections.abc import Sequence

from bot import texts
from bot.domain import AuditEntry, PendingItem, SignatoriesPage
from bot.i18n import Translator
from bot.service import Decision, Overview

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
        tr.t("Sign with: {usage}", usage=tr.render(texts.SIGN_USAGE)),
    ]
    return "\n".join(lines)


def count_line(tr: Translator, count: int, next_milestone: int | None) -> str:
    return tr.render(texts.count_line(count, next_milestone))


def signatories(tr: Translator, page: SignatoriesPage) -> str:
    if not page.signatures:
        text = tr.render(texts.NO_ONE_LISTED)
    else:
        lines = [tr.render(texts.signatories_heading(page.page, page.pages))]
        lines += [
            f"  #{s.id} {tr.render(texts.describe_signature(s, earlier_text=page.earlier_text(s)))}"
            for s in page.signatures
        ]
        if page.has_next:
            lines.append(tr.t("More: /signatories {page}", page=page.page + 1))
        text = "\n".join(lines)
    if page.anonymous:
        text += "\n" + tr.render(texts.unlisted_line(page.anonymous))
    return text


def pending(tr: Translator, items: Sequence[PendingItem]) -> str:
    if not items:
        return tr.render(texts.NONE_PENDING)
    blocks = [tr.render(texts.mod_queue_summary(item)) for item in items]
    return "\n".join(blocks) + "\n" + tr.t("Decide with /approve ID… or /reject ID… REASON.")


def decisions(tr: Translator, results: Sequence[Decision]) -> str:
    return "\n".join(tr.render(d.describe()) for d in results)


def audit(tr: Translator, entries: Sequence[AuditEntry]) -> str:
    if not entries:
        return tr.render(texts.AUDIT_EMPTY)
    return "\n".join(f"{e.at:%Y-%m-%d %H:%M:%S} {tr.render(texts.audit_entry(e))}" for e in entries)
