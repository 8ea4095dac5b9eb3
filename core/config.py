"""Configuration from the environment (a `.env` file is read too). Names as in DESIGN.md."""

import re
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


SANDBOX_PROVIDER_TOKEN = "284685063:TEST:sandbox"  # the emulator's test provider


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    database_url: str = "sqlite:///qingtian.db"
    redis_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    auto_migrate: bool = True  # upgrade the schema to the latest migration on start-up
    seed_demo: bool | None = None  # None: seed the demo catalogue in sandbox mode only
    locales_dir: Path = PROJECT_ROOT / "locales"
    default_locale: str = "en"
    page_size: int = 5
    # updates handled at once; keep it below the database pool (5 + 10 connections by default)
    max_concurrent_updates: int = 10
    throttle_burst: int = 20  # updates a user may send at once (0: no flood protection)
    throttle_per_second: float = 3.0  # and then this many a second
    send_rate: float = 30.0  # messages a second, overall (Telegram: about 30)
    send_per_chat_interval: float = 1.0  # seconds between two messages to one chat
    # network errors, timeouts and 5xx are retried (backing off up to 5 minutes) for this long
    # after the notification was queued, then it is recorded as failed, with its reason
    send_give_up_after: timedelta = timedelta(hours=24)
    send_concurrency: int = (
        8  # sends in flight at once: at most this many are repeated after a crash
    )
    send_lease_seconds: float = 60.0  # a claimed row another sender may take over once unrenewed
    # days from departure to arrival by method, over the defaults (air 7, rail 25, sea 40,
    # express 5): "rail=21,sea=35"
    lead_times: str = ""
    reminder_hours: float = 24.0  # reminder this long before a group order's deadline
    tick_seconds: float = 15.0  # how often deadlines and reminders are checked
    digest_slot_minutes: float = 15.0  # how often the digests that came due are sent
    broadcast_progress_seconds: float = 5.0  # an admin's broadcast progress is edited this often
    # Telegram Payments (from @BotFather): invoices are offered only with one; the sandbox has
    # its own test provider when none is set
    payment_provider_token: SecretStr | None = None
    sandbox_user_id: int = 1001
    sandbox_port: int = 0

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> "Settings":
        """Without a secret anyone who finds the URL could post updates "from" an admin."""
        if self.webhook_url and self.bot_token:
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not secret:
                raise ValueError(
                    "WEBHOOK_URL is set but WEBHOOK_SECRET is not: set WEBHOOK_SECRET to 1-256 "
                    "characters of A-Z, a-z, 0-9, _ and - (Telegram sends it with every update, "
                    "and updates without it are refused)"
                )
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise ValueError(
                    "WEBHOOK_SECRET may only hold 1-256 characters of A-Z, a-z, 0-9, _ and -"
                )
        return self

    @property
    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None

    @property
    def secret_token(self) -> str | None:
        return self.webhook_secret.get_secret_value() if self.webhook_secret else None

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a log line, a stored error or a message."""
        return tuple(
            value for value in (self.token, self.secret_token, self.provider_token) if value
        )

    @property
    def provider_token(self) -> str | None:
        """The payment provider's token: the configured one, or the emulator's test provider
        in the sandbox (None: no invoices, cash and transfer only)."""
        if self.payment_provider_token:
            return self.payment_provider_token.get_secret_value()
        return SANDBOX_PROVIDER_TOKEN if self.sandbox else None

    @cached_property
    def sandbox(self) -> bool:
        """Without a token the bot runs against the local Bot API emulator."""
        return not self.bot_token

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids
