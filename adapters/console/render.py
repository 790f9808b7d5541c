"""Plain-text rendering of core results for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from bot import texts
from bot.domain import AuditEntry, PendingItem, SignatoriesPage
from bot.service import Decision, Overview

__all__ = ["audit", "decisions", "letter", "pending", "signatories"]


def letter(view: Overview) -> str:
    lines = [view.letter.title.upper(), ""]
    if view.letter.preamble:
        lines += [view.letter.preamble, ""]
    lines += [f"  {n}. {d}" for n, d in enumerate(view.letter.demands, 1)]
    if view.letter.closing:
        lines += ["", view.letter.closing]
    lines += [
        "",
        count_line(view.count, view.next_milestone),
        f"Sign with: {texts.SIGN_USAGE}",
    ]
    return "\n".join(lines)


def count_line(count: int, next_milestone: int | None) -> str:
    return texts.count_line(count, next_milestone)


def signatories(page: SignatoriesPage) -> str:
    if not page.signatures:
        text = texts.NO_ONE_LISTED
    else:
        lines = [texts.signatories_heading(page.page, page.pages)]
        lines += [f"  #{s.id} {texts.describe_signature(s)}" for s in page.signatures]
        if page.has_next:
            lines.append(f"More: /signatories {page.page + 1}")
        text = "\n".join(lines)
    if page.anonymous:
        text += "\n" + texts.unlisted_line(page.anonymous)
    return text


def pending(items: Sequence[PendingItem]) -> str:
    if not items:
        return texts.NONE_PENDING
    blocks = [texts.mod_queue_summary(item) for item in items]
    return "\n".join(blocks) + "\nDecide with /approve ID… or /reject ID… REASON."


def decisions(results: Sequence[Decision]) -> str:
    return "\n".join(d.describe() for d in results)


def audit(entries: Sequence[AuditEntry]) -> str:
    if not entries:
        return texts.AUDIT_EMPTY
    return "\n".join(f"{e.at:%Y-%m-%d %H:%M:%S} {texts.audit_entry(e)}" for e in entries)
