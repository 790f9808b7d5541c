"""Modals whose submit survives a restart, and the signing form.

discord.py keeps each open modal in memory and drops a submit it does not know, so after a
deploy everyone halfway through the sign form would see "This interaction failed".
:class:`discord.ui.DynamicItem` solves that for buttons; :class:`Form` is the same idea for
modals: the ``custom_id`` carries the state (``pledge:sign-form:anon``), and
:class:`~adapters.discord.client.PledgeClient` routes every modal submit whose ``custom_id``
matches a registered form's template to that form's :meth:`Form.submitted`, with the values read
from the submit itself. The modal instance only describes the fields to Discord.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from adapters.discord import render
from adapters.discord.language import reader
from adapters.discord.permissions import community_of
from adapters.discord.replies import Reply, respond
from bot.domain import SignatureForm
from bot.hygiene import LIMITS
from bot.i18n import Translator
from bot.texts import signing

if TYPE_CHECKING:
    from adapters.discord.interaction import Interaction

__all__ = ["Form", "SignForm", "submitted_values"]


#: How long discord.py keeps the (unused) modal object; submits are routed by custom_id anyway.
_MODAL_MEMORY = 900.0

# Component types in a modal submit: action row, text input, label (discord.py 2.6+).
_ACTION_ROW, _TEXT_INPUT, _LABEL = 1, 4, 18


class Form(discord.ui.Modal):
    """A modal handled from its ``custom_id`` and submitted values alone (see the module).

    Subclasses give a ``template`` (a regex the ``custom_id`` must match) and implement
    :meth:`submitted`. ``on_submit`` stays discord.py's no-op, so a submit is answered once,
    by :meth:`submitted`, whether or not this process still holds the modal object.
    """

    template: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, template: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.template = re.compile(template)

    def __init__(self, *, title: str, custom_id: str) -> None:
        if not self.template.fullmatch(custom_id):
            raise ValueError(f"{custom_id!r} does not match {self.template.pattern!r}")
        super().__init__(title=title, custom_id=custom_id, timeout=_MODAL_MEMORY)

    def add_input(
        self,
        label: str,
        custom_id: str,
        *,
        description: str | None = None,
        default: str | None = None,
        placeholder: str | None = None,
        max_length: int,
        required: bool = False,
        style: discord.TextStyle = discord.TextStyle.short,
    ) -> None:
        text = discord.ui.TextInput[Form](
            custom_id=custom_id,
            default=default,
            placeholder=placeholder,
            max_length=max_length,
            required=required,
            style=style,
        )
        self.add_item(discord.ui.Label(text=label, description=description, component=text))

    @classmethod
    def submitted(
        cls, interaction: Interaction, match: re.Match[str], values: Mapping[str, str]
    ) -> Awaitable[None]:
        """Handle a submit of this form; must answer the interaction. An ``async def``, or (on
        a hot path) a plain method returning the awaitable that answers: one coroutine frame
        less for every resume of that work."""
        raise NotImplementedError


def submitted_values(interaction: discord.Interaction) -> dict[str, str]:
    """``{custom_id: value}`` of every text input in a modal submit, as Discord nests them: each
    in a Label, or several in an ActionRow. A Label's input is read in place, without a loop of
    one: this runs for every submit, and the sign form is all Labels."""
    data: Any = interaction.data or {}
    values: dict[str, str] = {}
    for component in data.get("components") or ():
        kind = component.get("type")
        if kind == _LABEL:
            item = component.get("component")
            if item and item.get("type") == _TEXT_INPUT and "custom_id" in item:
                values[item["custom_id"]] = str(item.get("value") or "")
            continue
        inner: Iterable[Any] = (
            component.get("components") or () if kind == _ACTION_ROW else (component,)
        )
        for item in inner:
            if item.get("type") == _TEXT_INPUT and "custom_id" in item:
                values[item["custom_id"]] = str(item.get("value") or "")
    return values


class SignForm(Form, template=r"pledge:sign-form:(?P<mode>named|anon)"):
    """Name (pre-filled with the member's display name), role, location and link, asked in
    the signer's language."""

    def __init__(self, *, anonymous: bool, display_name: str, tr: Translator) -> None:
        mode = "anon" if anonymous else "named"
        title = tr.render(signing.SIGN_ANONYMOUSLY_LABEL if anonymous else signing.SIGN_LABEL)
        super().__init__(title=title, custom_id=f"pledge:sign-form:{mode}")
        if anonymous:
            name_help = tr.t("Only moderators see it: you are counted, not listed.")
        else:
            name_help = tr.t("How you appear on the public list of signatories.")
        self.add_input(
            tr.render(signing.FIELD_LABELS["name"]),
            "name",
            description=name_help,
            default=display_name[: LIMITS["name"]] or None,
            max_length=LIMITS["name"],
            required=True,
        )
        self.add_input(
            tr.render(signing.FIELD_LABELS["role"]),
            "role",
            placeholder=tr.t("Musician, producer, label, venue…"),
            max_length=LIMITS["role"],
        )
        self.add_input(
            tr.render(signing.FIELD_LABELS["location"]),
            "location",
            placeholder=tr.t("City, country"),
            max_length=LIMITS["location"],
        )
        self.add_input(
            tr.render(signing.FIELD_LABELS["link"]),
            "link",
            description=tr.t("Your website or music, so people know it is really you."),
            placeholder="https://",
            max_length=LIMITS["link"],
        )

    @classmethod
    def for_user(cls, interaction: Interaction, *, anonymous: bool) -> SignForm:
        return cls(
            anonymous=anonymous, display_name=interaction.user.display_name, tr=reader(interaction)
        )

    @staticmethod
    def check(interaction: Interaction) -> Callable[[], Awaitable[None]]:
        """The core's answer to "may this account sign?", asked before the form opens, so
        nobody fills it in only to hear they already signed."""
        identity = interaction.client.actor(interaction).identity
        return lambda: interaction.client.service.check_can_sign(identity)

    @classmethod
    def submitted(
        cls, interaction: Interaction, match: re.Match[str], values: Mapping[str, str]
    ) -> Awaitable[None]:
        client = interaction.client
        form = SignatureForm(
            name=values.get("name", ""),
            role=values.get("role", ""),
            location=values.get("location", ""),
            link=values.get("link", ""),
        )

        tr = reader(interaction)

        async def sign() -> Reply:
            result = await client.service.sign(
                client.actor(interaction),
                form,
                community=community_of(interaction),
                anonymous=match["mode"] == "anon",
                account_created_at=interaction.user.created_at,
                language=tr.language,
            )
            return Reply(render.say(result.message, tr))

        return respond(interaction, sign())  # see Form.submitted
