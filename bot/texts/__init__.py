"""The wording shared by every adapter and by the outbox, as catalogue messages.

Each constant and function here is a :class:`~bot.i18n.Msg`: the English source sentence and
its values. Adapters render it in the reader's language and escape it for their platform
(``translator(lang).render(m, escape=..., strong=...)``); the outbox renders it in the
recipient's language when the message is composed. Keeping the wording here means a signer reads
the same sentence wherever they signed, and each sentence is translated once.

One module per use: :mod:`~bot.texts.command_help` (help, menus, usage lines),
:mod:`~bot.texts.signing` (what a signer reads), :mod:`~bot.texts.lists` (the count and the
list), :mod:`~bot.texts.signatures` (a signature's number and description),
:mod:`~bot.texts.linking` (several accounts), :mod:`~bot.texts.rejection` (why not approved),
:mod:`~bot.texts.moderation` (moderators' replies), :mod:`~bot.texts.cards` (mod-queue cards),
:mod:`~bot.texts.announcements` (milestones and alerts), :mod:`~bot.texts.community_table`.
"""
