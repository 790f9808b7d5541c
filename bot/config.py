"""Typed configuration (pydantic-settings).

Sources, highest first: values passed in by the CLI, ``PLEDGEBOT_*`` environment variables
(``__`` separates nesting: ``PLEDGEBOT_DISCORD__TOKEN``), the TOML file, defaults. The key names
are a public interface: the example file and the README document them.
"""

from __future__ import annotations

import os
import string
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["ConfigError", "Settings", "find_config_file", "load_settings"]

_PLACEHOLDERS = {"count", "title", "milestone"}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str, key: str, schemes: tuple[str, ...]) -> str:
    if value and not value.startswith(tuple(f"{s}://" for s in schemes)):
        raise ValueError(f"{key} must start with {' or '.join(s + '://' for s in schemes)}")
    return value.rstrip("/")


class LetterSettings(_Section):
    title: str = Field(min_length=1, max_length=200)
    preamble: str = ""
    demands: list[str] = Field(min_length=1, max_length=25)
    closing: str = ""

    @field_validator("demands")
    @classmethod
    def _no_blank_demand(cls, demands: list[str]) -> list[str]:
        if any(not d.strip() for d in demands):
            raise ValueError("a demand cannot be empty")
        return [d.strip() for d in demands]


class SigningSettings(_Section):
    approval: Literal["manual", "auto"] = "manual"
    allow_anonymous: bool = True
    cooldown_minutes: int = Field(default=10, ge=0)
    min_account_age_days: int = Field(default=0, ge=0)
    surge_window_minutes: int = Field(default=10, ge=0)
    surge_share: float = Field(default=0.5, gt=0, le=1)
    surge_min_signatures: int = Field(default=20, ge=0)


class MilestoneSettings(_Section):
    thresholds: list[int] = Field(default_factory=lambda: [10, 50, 100, 250, 500, 1000])
    every: int = Field(default=1000, ge=0)
    message: str = "{count} artists have signed “{title}”. Read it and add your name: /letter"

    @field_validator("thresholds")
    @classmethod
    def _positive(cls, values: list[int]) -> list[int]:
        if any(v <= 0 for v in values):
            raise ValueError("thresholds must be positive numbers")
        return sorted(set(values))

    @field_validator("message")
    @classmethod
    def _known_placeholders(cls, message: str) -> str:
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(message) if f is not None}
        except ValueError as exc:
            raise ValueError(f"the message is not a valid template: {exc}") from None
        unknown = names - _PLACEHOLDERS
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{sorted(unknown)[0]}}}; use {{count}} or {{title}}"
            )
        return message


class StorageSettings(_Section):
    url: str = "sqlite:///pledgebot.db"

    @field_validator("url")
    @classmethod
    def _scheme(cls, url: str) -> str:
        if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return url


class ConsoleSettings(_Section):
    moderators: list[str] = Field(default_factory=lambda: ["mod"])


class DiscordSettings(_Section):
    token: SecretStr = SecretStr("")
    api_base_url: str = ""
    gateway_url: str = ""
    guild_ids: list[int] = Field(default_factory=list)
    moderator_role_ids: list[int] = Field(default_factory=list)
    announce_channel_ids: list[int] = Field(default_factory=list)
    mod_channel_id: int = Field(default=0, ge=0)
    shard_count: int = Field(default=0, ge=0)
    shard_ids: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shards(self) -> DiscordSettings:
        if self.shard_ids and not self.shard_count:
            raise ValueError("shard_ids needs shard_count (the total number of shards)")
        if any(not 0 <= i < self.shard_count for i in self.shard_ids):
            raise ValueError(
                f"shard_ids must be between 0 and shard_count - 1 ({self.shard_count - 1})"
            )
        return self

    @field_validator("api_base_url")
    @classmethod
    def _rest(cls, value: str) -> str:
        return _http_url(value, "api_base_url", ("http", "https"))

    @field_validator("gateway_url")
    @classmethod
    def _gateway(cls, value: str) -> str:
        return _http_url(value, "gateway_url", ("ws", "wss"))

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value().strip())


class TelegramSettings(_Section):
    token: SecretStr = SecretStr("")
    api_base_url: str = ""
    moderator_user_ids: list[int] = Field(default_factory=list)
    announce_chat_ids: list[int] = Field(default_factory=list)
    mod_chat_id: int = 0
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr = SecretStr("")

    @field_validator("api_base_url", "webhook_url")
    @classmethod
    def _http(cls, value: str) -> str:
        return _http_url(value, "the URL", ("http", "https"))

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value().strip())


class SignLinks(_Section):
    """Where the public page sends people to sign: one link per configured platform."""

    discord: str = ""
    telegram: str = ""

    @field_validator("discord", "telegram")
    @classmethod
    def _http(cls, value: str) -> str:
        return _http_url(value.strip(), "a sign link", ("http", "https"))


class WebSettings(_Section):
    """The public page (adapters/web) and the static site (``pledgebot publish``)."""

    listen: str = ""
    public_url: str = ""
    sign_links: SignLinks = SignLinks()
    publish_dir: str = ""
    publish_interval_seconds: int = Field(default=60, ge=1)
    snapshot_dir: str = "snapshots"

    @field_validator("listen")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip()
        if value:
            listen_address(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _public(cls, value: str) -> str:
        return _http_url(value.strip(), "public_url", ("http", "https"))

    @property
    def address(self) -> tuple[str, int] | None:
        """``(host, port)`` to serve on, or None when the page is off."""
        return listen_address(self.listen) if self.listen else None


def listen_address(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6); port 0 takes any free port."""
    host, sep, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdecimal() or int(port) > 65535:
        raise ValueError("listen must be HOST:PORT, like 127.0.0.1:8080 (empty = no web page)")
    return host, int(port)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PLEDGEBOT_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    letter: LetterSettings
    signing: SigningSettings = SigningSettings()
    milestones: MilestoneSettings = MilestoneSettings()
    storage: StorageSettings = StorageSettings()
    console: ConsoleSettings = ConsoleSettings()
    discord: DiscordSettings = DiscordSettings()
    telegram: TelegramSettings = TelegramSettings()
    web: WebSettings = WebSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # No .env and no secrets directory: a deployment has exactly the documented sources.
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)


class ConfigError(Exception):
    """Configuration that cannot be used; the message names the key and the file."""


def find_config_file(explicit: str | os.PathLike[str] | None) -> Path | None:
    """``--config PATH``, else ``$PLEDGEBOT_CONFIG``, else ``./config.toml`` if present."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get("PLEDGEBOT_CONFIG"):
        path = Path(os.environ["PLEDGEBOT_CONFIG"])
    else:
        default = Path("config.toml")
        return default if default.is_file() else None
    if not path.is_file():
        raise ConfigError(f"config file {path} not found")
    return path


def load_settings(
    config: str | os.PathLike[str] | None = None, **overrides: Any
) -> tuple[Settings, Path | None]:
    """Load and validate; raise :class:`ConfigError` with one readable message."""
    path = find_config_file(config)
    where = f"in {path}" if path else "(no config file; see config.example.toml)"

    class FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    try:
        settings: Settings = FileSettings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration {where}:\n{_describe(exc)}") from None
    except ValueError as exc:  # the TOML parser reports a syntax error as a ValueError
        raise ConfigError(f"cannot read {path}: {exc}") from None
    return settings, path


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        key = ".".join(str(p) for p in error["loc"])
        message = error["msg"]
        if error["type"] == "missing":
            message = "required, but not set"
        elif error["type"] == "extra_forbidden":
            message = "unknown key (check its spelling against config.example.toml)"
        if error["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        hint = ""
        if len(error["loc"]) >= 2:
            env = "PLEDGEBOT_" + "__".join(str(p).upper() for p in error["loc"][:2])
            hint = f" (or environment variable {env})"
        lines.append(f"  {key}: {message}{hint}")
    return "\n".join(lines)
