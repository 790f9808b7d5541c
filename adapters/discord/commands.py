"""The signer's slash commands: read the letter, sign, check, withdraw, count, list.

``/letter`` and ``/demands`` answer in the channel, because sharing the letter is the point;
everything about a person (their signature, their status) is answered privately.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord import app_commands

from adapters.discord import render, views
from adapters.discord.command_language import described, localized
from adapters.discord.language import reader
from adapters.discord.modals import SignForm
from adapters.discord.replies import Reply, open_modal, respond
from bot.i18n import Command, msg, nmsg, pmsg
from bot.limits import MAX_NUMBER, PAGE_SIZE
from bot.reaffirm import version_lines
from bot.texts import linking, signing

if TYPE_CHECKING:
    from adapters.discord.interaction import Interaction

__all__ = ["COMMANDS"]

_CODE_LENGTH = 40  # a code is 11 characters; room for spaces and dashes as people type them


@app_commands.command(
    name=localized(pmsg("command name", "letter")), description=described("letter")
)
async def letter(interaction: Interaction) -> None:
    client = interaction.client
    service = client.service

    async def show() -> Reply:
        overview = await service.overview(actor=client.actor(interaction))
        view = views.letter_view(reader(interaction), allow_anonymous=service.rules.allow_anonymous)
        return Reply(embed=render.letter(overview, reader(interaction)), view=view)

    await respond(interaction, show(), ephemeral=False)


@app_commands.command(
    name=localized(pmsg("command name", "demands")), description=described("demands")
)
@app_commands.rename(number=localized(pmsg("option name", "number")))
@app_commands.describe(number=localized(msg("Show only this demand (1 is the first)")))
async def demands(
    interaction: Interaction, number: app_commands.Range[int, 1, MAX_NUMBER] | None = None
) -> None:
    client = interaction.client
    service = client.service

    async def show() -> Reply:
        shown = service.demands(number, actor=client.actor(interaction))
        numbers = [n for n, _ in shown]
        return Reply(embed=render.demands(service.letter, numbers, reader(interaction)))

    await respond(interaction, show(), ephemeral=False)


@app_commands.command(name=localized(pmsg("command name", "sign")), description=described("sign"))
@app_commands.rename(anonymous=localized(pmsg("option name", "anonymous")))
@app_commands.describe(
    anonymous=localized(
        msg("Be counted without your name on the public list (moderators still see it)")
    )
)
async def sign(interaction: Interaction, anonymous: bool = False) -> None:
    await open_modal(
        interaction,
        lambda: SignForm.for_user(interaction, anonymous=anonymous),
        check=SignForm.check(interaction),
    )


@app_commands.command(
    name=localized(pmsg("command name", "status")), description=described("status")
)
async def status(interaction: Interaction) -> None:
    client = interaction.client

    async def show() -> Reply:
        found = await client.service.status(client.actor(interaction).identity)
        return Reply(render.say(signing.status_text(found), reader(interaction)))

    await respond(interaction, show())


@app_commands.command(
    name=localized(pmsg("command name", "withdraw")), description=described("withdraw")
)
async def withdraw(interaction: Interaction) -> None:
    await respond(interaction, views.withdraw_prompt(interaction))


@app_commands.command(name=localized(pmsg("command name", "count")), description=described("count"))
async def count(interaction: Interaction) -> None:
    client = interaction.client

    async def show() -> Reply:
        shown = await client.service.count_view(client.actor(interaction))
        overview = shown.overview
        lines = [render.count_line(overview.count, overview.next_milestone, reader(interaction))]
        if shown.versions is not None:  # a moderator: the counts per text too
            tr, required = reader(interaction), client.service.rules.require_reaffirm
            lines += [
                tr.render(m, escape=render.safe)
                for m in version_lines(shown.versions, required=required)
            ]
        return Reply("\n".join(lines))

    await respond(interaction, show())


@app_commands.command(
    name=localized(pmsg("command name", "signatories")), description=described("signatories")
)
@app_commands.rename(page=localized(pmsg("option name", "page")))
@app_commands.describe(
    page=localized(
        nmsg(
            "Which page of the list ({count} name a page)",
            "Which page of the list ({count} names a page)",
            PAGE_SIZE,
        )
    )
)
async def signatories(
    interaction: Interaction, page: app_commands.Range[int, 1, MAX_NUMBER] = 1
) -> None:
    await respond(interaction, views.signatories_reply(interaction, page))


@app_commands.command(name=localized(pmsg("command name", "link")), description=described("link"))
@app_commands.rename(code=localized(pmsg("option name", "code")))
@app_commands.describe(
    code=localized(
        msg(
            "The code {link} gave you on your other account; leave out for a new one",
            link=Command("link"),
        )
    )
)
async def link(
    interaction: Interaction, code: app_commands.Range[str, 1, _CODE_LENGTH] | None = None
) -> None:
    """``/link`` answers with a code (privately: it lets its holder join this account), and
    ``/link code:…`` redeems one made on another account."""
    client = interaction.client

    async def done() -> Reply:
        actor = client.actor(interaction)
        if code is None:
            return Reply(
                render.say(
                    linking.link_code_text(await client.service.link_code(actor)),
                    reader(interaction),
                )
            )
        result = await client.service.link(actor, code)
        return Reply(render.say(linking.linked_text(result, actor.identity), reader(interaction)))

    await respond(interaction, done())


@app_commands.command(
    name=localized(pmsg("command name", "unlink")), description=described("unlink")
)
async def unlink(interaction: Interaction) -> None:
    client = interaction.client

    async def done() -> Reply:
        others = await client.service.unlink(client.actor(interaction))
        return Reply(render.say(linking.unlinked_text(others), reader(interaction)))

    await respond(interaction, done())


COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (
    letter,
    demands,
    sign,
    status,
    withdraw,
    count,
    signatories,
    link,
    unlink,
)
