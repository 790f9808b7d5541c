"""Typed configuration (pydantic-settings).

Sources, highest first: values passed in by the CLI, ``PLEDGEBOT_*`` environment variables
(``__`` separates nesting: ``PLEDGEBOT_DISCORD__TOKEN``), the TOML file, defaults. The key names
are a public interface: the example file and the README document them.
"""

import json
import os
import re
import string
import sys
from contextvars import ContextVar
from pathlib import Path
from types import ModuleType
from typing import Any, Literal


def _without_pydantic_plugins() -> None:
    """pledgebot runs no pydantic plugins (the ``pydantic`` entry points an installed package
    may declare): pydantic validates only this configuration, once per start.

    pydantic looks for plugins as it builds its first validator: its loader imports
    :mod:`importlib.metadata` (and with it email, zipfile, csv, ...) and reads the entry points
    of every installed package, about 50 M instructions, 6 % of the console's way to its first
    line. ``PYDANTIC_DISABLE_PLUGINS`` skips the reading but not the import. So the loader is
    given here, before pydantic needs it, as what it is with plugins disabled: ``get_plugins()``
    finds none. A loader already imported (a program that built a pydantic model before this
    module) is left as it is. tests/cli/test_startup_cost.py holds that loading the settings
    reads no package metadata. Anything else pydantic asks of its loader (a name a later
    release adds) comes from the real loader, imported then, so a new pydantic costs the
    speed-up at worst, never the start."""
    name = "pydantic.plugin._loader"
    if name not in sys.modules:
        loader = ModuleType(name, "pydantic's plugin loader, with plugins disabled (bot.config)")
        loader.get_plugins = _no_plugins  # type: ignore[attr-defined]
        loader.__getattr__ = _from_the_real_loader  # type: ignore[method-assign]
        sys.modules[name] = loader


def _no_plugins() -> tuple[()]:
    """What pydantic's ``get_plugins()`` returns when plugins are disabled."""
    return ()


def _from_the_real_loader(attribute: str) -> Any:
    """A name of pydantic's plugin loader other than ``get_plugins``, from the real module.
    Dunder names (``__path__``, which every import asks of a module) are not the loader's."""
    if attribute.startswith("__"):
        raise AttributeError(attribute)
    import importlib.util
    from importlib.machinery import PathFinder

    import pydantic.plugin

    spec = PathFinder.find_spec("pydantic.plugin._loader", list(pydantic.plugin.__path__))
    if spec is None or spec.loader is None:
        raise AttributeError(attribute)
    real = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(real)
    return getattr(real, attribute)


_without_pydantic_plugins()

from pydantic import (  # noqa: E402  (after the plugin loader is in place)
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (  # noqa: E402
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from bot.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES, match_language  # noqa: E402

__all__ = [
    "ConfigError",
    "Settings",
    "env_name",
    "find_config_file",
    "load_settings",
    "rejected_token",
]

_PLACEHOLDERS = {"count", "title", "milestone", "letter"}


class _Section(BaseModel):
    """A table of the configuration. Lists and tables default to a plain ``[]`` or ``{}``:
    pydantic gives each instance its own copy. ``Field(default_factory=list)`` would cost every
    start about 3 ms of CPU: pydantic reads the factory's signature, and for ``list`` and
    ``dict`` that means tokenizing their text signatures with :mod:`tokenize`'s large regex."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str, key: str, schemes: tuple[str, ...]) -> str:
    if value and not value.startswith(tuple(f"{s}://" for s in schemes)):
        raise ValueError(f"{key} must start with {' or '.join(s + '://' for s in schemes)}")
    return value.rstrip("/")


def _clean_demands(demands: list[str]) -> list[str]:
    if any(not d.strip() for d in demands):
        raise ValueError("a demand cannot be empty")
    return [d.strip() for d in demands]


class LetterTranslationSettings(_Section):
    """``[letter.translations.<lang>]``: the letter in one more language. Every part may be
    left out while it is being written: readers see the original until ``check-config`` calls
    the translation complete."""

    title: str = Field(default="", max_length=200)
    preamble: str = ""
    demands: list[str] = Field(default=[], max_length=25)
    closing: str = ""

    @field_validator("demands")
    @classmethod
    def _no_blank_demand(cls, demands: list[str]) -> list[str]:
        return _clean_demands(demands)


class ReaffirmSettings(_Section):
    """What happens when the letter's text changes (part of ``[letter]``, bot.reaffirm)."""

    #: Whether signatures on an earlier text still count until their signers reaffirm.
    require_reaffirm: bool = False
    #: How many earlier signers are told of a new text each minute, at most (per process).
    reaffirm_notices_per_minute: float = Field(default=300, gt=0, le=6000)


class LetterSettings(ReaffirmSettings):
    title: str = Field(min_length=1, max_length=200)
    preamble: str = ""
    demands: list[str] = Field(min_length=1, max_length=25)
    closing: str = ""
    translations: dict[str, LetterTranslationSettings] = {}

    @field_validator("demands")
    @classmethod
    def _no_blank_demand(cls, demands: list[str]) -> list[str]:
        return _clean_demands(demands)

    @field_validator("translations")
    @classmethod
    def _known_languages(
        cls, translations: dict[str, LetterTranslationSettings]
    ) -> dict[str, LetterTranslationSettings]:
        for language in translations:
            if language in LANGUAGES:
                continue
            table = f"[letter.translations.{language}]"
            known = match_language(language)
            if known is not None:
                raise ValueError(f"{table}: write the language as {known}")
            raise ValueError(
                f"{table}: pledgebot does not speak {language!r}; a translation can be in "
                + ", ".join(LANGUAGES)
            )
        return translations


def _language(value: str, key: str) -> str:
    """One of the catalogue's languages, as gettext writes it (``pt_BR``, not ``pt-br``)."""
    value = value.strip()
    if value in LANGUAGES:
        return value
    known = match_language(value)
    if known is not None:
        raise ValueError(f"{key}: write the language as {known}")
    raise ValueError(
        f"{key}: pledgebot does not speak {value!r}; use one of " + ", ".join(LANGUAGES)
    )


class I18nSettings(_Section):
    """``[i18n]``: the language pledgebot speaks where it does not know the reader's — posts to
    channels, and replies on a platform that does not say."""

    default_language: str = DEFAULT_LANGUAGE
    #: ``"discord:<channel id>"``, ``"telegram:<chat id>"`` or ``"console"`` -> a language for
    #: the milestones and mod-queue cards posted there.
    channel_languages: dict[str, str] = {}

    @field_validator("default_language")
    @classmethod
    def _default(cls, value: str) -> str:
        return _language(value, "default_language")

    @field_validator("channel_languages")
    @classmethod
    def _channels(cls, value: dict[str, str]) -> dict[str, str]:
        for channel, language in value.items():
            platform, _, where = channel.partition(":")
            if channel != "console" and (platform not in ("discord", "telegram") or not where):
                raise ValueError(
                    f"channel_languages: {channel!r} is not a channel; write "
                    '"discord:<channel id>", "telegram:<chat id>" or "console"'
                )
            _language(language, f"channel_languages.{channel}")
        return value


class SigningSettings(_Section):
    approval: Literal["manual", "auto"] = "manual"
    allow_anonymous: bool = True
    cooldown_minutes: int = Field(default=10, ge=0)
    min_account_age_days: int = Field(default=0, ge=0)
    surge_window_minutes: int = Field(default=10, ge=0)
    surge_share: float = Field(default=0.5, gt=0, le=1)
    surge_min_signatures: int = Field(default=20, ge=0)
    #: Whether everyone may read /communities (and the public page shows it), not only moderators.
    public_communities: bool = False
    #: The shortest time between two edits of one live letter post (/post-letter).
    live_edit_interval_seconds: float = Field(default=10, ge=1, le=3600)


class RateLimitSettings(_Section):
    """How fast one account may send commands, per kind (bot.ratelimit): ``*_burst`` at once,
    then ``*_per_minute`` more each minute (0 = no limit for that kind)."""

    reading_burst: int = Field(default=20, ge=1)
    reading_per_minute: float = Field(default=60, ge=0)
    signing_burst: int = Field(default=6, ge=1)
    signing_per_minute: float = Field(default=6, ge=0)
    moderating_burst: int = Field(default=60, ge=1)
    moderating_per_minute: float = Field(default=120, ge=0)
    tracked_accounts: int = Field(default=100_000, ge=100)


class MilestoneSettings(_Section):
    thresholds: list[int] = Field(default_factory=lambda: [10, 50, 100, 250, 500, 1000])
    every: int = Field(default=1000, ge=0)
    #: The organiser's own announcement; empty: the catalogue's, in each channel's language.
    message: str = ""

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
                f"unknown placeholder {{{sorted(unknown)[0]}}}; "
                "use {count}, {title} or {letter}"
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
    #: The console's language; empty: ``[i18n] default_language`` (``--lang`` wins over both).
    language: str = ""

    @field_validator("language")
    @classmethod
    def _spoken(cls, value: str) -> str:
        return _language(value, "language") if value.strip() else ""


class DiscordSettings(_Section):
    token: SecretStr = SecretStr("")
    api_base_url: str = ""
    gateway_url: str = ""
    guild_ids: list[int] = []
    moderator_role_ids: list[int] = []
    announce_channel_ids: list[int] = []
    mod_channel_id: int = Field(default=0, ge=0)
    shard_count: int = Field(default=0, ge=0)
    shard_ids: list[int] = []

    @model_validator(mode="after")
    def _shards(self) -> "DiscordSettings":
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
    moderator_user_ids: list[int] = []
    announce_chat_ids: list[int] = []
    mod_chat_id: int = 0
    #: Added to a group, the bot says hello there: the letter's title and how to sign.
    greet_groups: bool = False
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


class RunSettings(_Section):
    """How ``pledgebot run`` starts and reports that it is alive."""

    startup_retry_seconds: float = Field(default=60, ge=0)
    heartbeat_file: str = ""


def listen_address(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6); port 0 takes any free port."""
    host, sep, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdecimal() or int(port) > 65535:
        raise ValueError("listen must be HOST:PORT, like 127.0.0.1:8080 (empty = no web page)")
    return host, int(port)


#: The TOML file :func:`load_settings` is reading, for :meth:`Settings.settings_customise_sources`
#: (a subclass of Settings naming the file would have pydantic build its validators again).
_toml_file: ContextVar[Path | None] = ContextVar("toml_file", default=None)


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
    i18n: I18nSettings = I18nSettings()
    rate_limits: RateLimitSettings = RateLimitSettings()
    storage: StorageSettings = StorageSettings()
    console: ConsoleSettings = ConsoleSettings()
    discord: DiscordSettings = DiscordSettings()
    telegram: TelegramSettings = TelegramSettings()
    web: WebSettings = WebSettings()
    run: RunSettings = RunSettings()

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
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_toml_file.get())
        return init_settings, env_settings, toml


class ConfigError(Exception):
    """Configuration that cannot be used; the message names the key and where it came from."""


def rejected_token(platform: str) -> ConfigError:
    """What an adapter raises when its platform refuses the token (it never quotes it)."""
    return ConfigError(
        f"{platform}.token: {platform.capitalize()} rejected the token; check "
        f"{env_name(platform, 'token')} (or {platform}.token in the config file)"
    )


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
    """Load and validate; raise :class:`ConfigError` with one readable message.

    A relative SQLite path in the config file (or the default ``sqlite:///pledgebot.db`` when
    there is a config file) is made absolute from the config file's folder, so the bot finds
    the same database whichever folder it is started from; one given on the command line or in
    the environment is relative to the current directory, like any path typed in a shell."""
    path = find_config_file(config)
    sources = _Sources(path, overrides, _environment())
    reading = _toml_file.set(path)
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(sources.describe(exc)) from None
    except SettingsError as exc:  # an environment variable that is not valid JSON
        raise ConfigError(sources.describe_env_error(exc)) from None
    except ValueError as exc:  # the TOML parser reports a syntax error as a ValueError
        raise ConfigError(f"cannot read {path}: {exc}") from None
    finally:
        _toml_file.reset(reading)
    if sources.origin("storage", "url") is None and path is not None:
        settings = _absolute_sqlite(settings, path.resolve().parent)
    else:
        settings = _absolute_sqlite(settings, Path.cwd())
    return settings, path


def _absolute_sqlite(settings: Settings, base: Path) -> Settings:
    url = settings.storage.url
    if not url.startswith("sqlite:///") or url.startswith("sqlite:////"):
        return settings
    file, query = url.removeprefix("sqlite:///"), ""
    if "?" in file:
        file, query = file.split("?", 1)
        query = "?" + query
    if not file or file == ":memory:":
        return settings  # the store reports an empty path; memory has no folder
    storage = settings.storage.model_copy(update={"url": f"sqlite:///{base / file}{query}"})
    return settings.model_copy(update={"storage": storage})


def _environment() -> dict[str, str]:
    """``PLEDGEBOT_*`` variables by upper-case name (pydantic-settings ignores the case)."""
    return {k.upper(): v for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX)}


ENV_PREFIX = "PLEDGEBOT_"


def env_name(*loc: object) -> str:
    """``PLEDGEBOT_MILESTONES__EVERY`` for ``("milestones", "every")``."""
    return ENV_PREFIX + "__".join(str(p).upper() for p in loc)


class _Sources:
    """Which source gave a key, so an error blames the variable, the flag or the file that
    holds the bad value rather than always the file."""

    def __init__(self, path: Path | None, overrides: dict[str, Any], env: dict[str, str]) -> None:
        self.path = path
        self.overrides = overrides
        self.env = env

    def origin(self, section: str, key: str | None = None) -> str | None:
        """Where a value other than the file's came from, or None (the file or a default)."""
        given = self.overrides.get(section)
        if isinstance(given, dict) and (key is None or key in given):
            return f"--{section}-{key}".replace("_", "-") if key else f"--{section}"
        if key is not None:
            name = env_name(section, key)
            # A table's keys may come one variable each: PLEDGEBOT_LETTER__TRANSLATIONS__ES__TITLE.
            deeper = sorted(n for n in self.env if n.startswith(name + "__"))
            if name in self.env or deeper:
                return f"environment variable {name if name in self.env else deeper[0]}"
        if env_name(section) in self.env:
            return f"environment variable {env_name(section)}"
        return None

    def _where(self, loc: tuple[int | str, ...]) -> str:
        key = str(loc[1]) if len(loc) >= 2 else None
        origin = self.origin(str(loc[0]), key) if loc else None
        if origin is not None:
            return f"from {origin}"
        if self.path is not None:
            return f"in {self.path}"
        return "no config file: see config.example.toml"

    def describe(self, exc: ValidationError) -> str:
        lines = []
        for error in exc.errors(include_url=False, include_input=False):
            loc = error["loc"]
            key = ".".join(str(p) for p in loc)
            message = error["msg"]
            if error["type"] == "missing":
                message = "required, but not set"
            elif error["type"] == "extra_forbidden":
                message = "unknown key (check its spelling against config.example.toml)"
            if error["type"] == "value_error":
                message = message.removeprefix("Value error, ")
            lines.append(f"  {key}: {message} ({self._where(loc)})")
        return "invalid configuration:\n" + "\n".join(lines)

    def describe_env_error(self, exc: SettingsError) -> str:
        """pydantic-settings reads lists and tables from the environment as JSON and reports a
        bad one only by its section; name the variables of that section that are not JSON."""
        found = re.search(r'field "(\w+)"', str(exc))
        section = found.group(1) if found else ""
        names = sorted(n for n in self.env if n.startswith(env_name(section)))
        bad = [n for n in names if not _is_json(self.env[n])] or names
        return "invalid configuration:\n" + "\n".join(
            f"  {_key_of(name)}: not a valid value (from environment variable {name}; lists "
            'and tables are written in JSON, e.g. [10, 50] or ["mod"])'
            for name in bad
        )


def _key_of(name: str) -> str:
    return ".".join(name.removeprefix(ENV_PREFIX).lower().split("__"))


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
