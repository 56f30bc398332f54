"""Settings from the environment, read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]  # this checkout
DEFAULT_URL = "sqlite+aiosqlite:///data/digiguide.db"


@dataclass(frozen=True)
class NluPaths:
    """Where the NLU inputs and outputs live (defaults: this checkout)."""

    root: Path = REPO
    config: Path = REPO / "config.yml"
    training: Path = REPO / "nlu" / "training"
    components: Path = REPO / "nlu" / "components"
    lock: Path = REPO / "nlu" / "requirements.lock"
    models: Path = REPO / "models"
    rasa: Path = REPO / ".venv-nlu" / "bin" / "rasa"

    def with_config(self, config: Path) -> NluPaths:
        return NluPaths(
            self.root,
            config.resolve(),
            self.training,
            self.components,
            self.lock,
            self.models,
            self.rasa,
        )

    def inputs(self) -> list[Path]:
        """Every file whose content changes the trained model."""
        files = [self.config, self.lock]
        files += sorted(self.training.rglob("*.yml")) + sorted(self.components.rglob("*.py"))
        return [f for f in files if f.is_file()]


def _places_from_env() -> dict[str, str]:
    names = {"commune": "DIGIGUIDE_COMMUNE", "team_name": "DIGIGUIDE_TEAM_NAME",
             "team_phone": "DIGIGUIDE_TEAM_PHONE"}
    return {key: os.environ[var] for key, var in names.items() if os.environ.get(var)}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str = DEFAULT_URL
    flows_dir: Path = Path("flows")
    communes_dir: Path = Path("flows/communes")
    rasa_url: str | None = None
    nlu_mode: str = "rasa"  # "rasa" or "keywords"
    telegram_token: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_url: str | None = None
    zalo_app_id: str | None = None
    zalo_app_secret: str | None = None
    zalo_oa_secret: str | None = None
    zalo_refresh_token: str | None = None
    zalo_api_url: str | None = None
    zalo_oauth_url: str | None = None
    places: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    instance_id: str | None = None  # shared by every worker of one deployment (see serve)
    metrics_token: str | None = None
    retention_days: int = 180
    leader_ttl_seconds: float = 20.0
    nlu_cache_size: int = 10_000
    nlu_config: Path | None = None  # the Rasa pipeline (default: config.yml)
    public_url: str | None = None  # where people reach the server (sign-in links)
    secure_cookies: bool = False  # console cookies only over HTTPS (automatic on https://)
    # Rate limits for the web chat (0 turns one off): see bot/ratelimit.
    rate_resident_per_minute: int = 60
    rate_new_residents_per_hour: int = 300
    rate_handoffs_per_hour: int = 30

    @property
    def nlu_paths(self) -> NluPaths:
        return NluPaths() if self.nlu_config is None else NluPaths().with_config(self.nlu_config)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "8080")),
            database_url=env.get("DATABASE_URL") or DEFAULT_URL,
            flows_dir=Path(env.get("FLOWS_DIR", "flows")),
            communes_dir=Path(env.get("COMMUNES_DIR", "flows/communes")),
            rasa_url=env.get("RASA_URL") or None,
            nlu_mode=env.get("NLU", "rasa").lower(),
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            telegram_api_url=env.get("TELEGRAM_API_URL") or None,
            zalo_app_id=env.get("ZALO_APP_ID") or None,
            zalo_app_secret=env.get("ZALO_APP_SECRET") or None,
            zalo_oa_secret=env.get("ZALO_OA_SECRET") or None,
            zalo_refresh_token=env.get("ZALO_REFRESH_TOKEN") or None,
            zalo_api_url=env.get("ZALO_API_URL") or None,
            zalo_oauth_url=env.get("ZALO_OAUTH_URL") or None,
            places=_places_from_env(),
            public_url=env.get("PUBLIC_URL") or None,
            secure_cookies=(env.get("PUBLIC_URL") or "").startswith("https://"),
            workers=int(env.get("WORKERS") or 1),
            instance_id=env.get("DIGIGUIDE_INSTANCE_ID") or None,
            metrics_token=env.get("METRICS_TOKEN") or None,
            retention_days=int(env.get("MESSAGE_RETENTION_DAYS") or 180),
            leader_ttl_seconds=float(env.get("LEADER_TTL_SECONDS") or 20),
            nlu_cache_size=int(env.get("NLU_CACHE_SIZE") or 10_000),
            nlu_config=Path(env["NLU_CONFIG"]) if env.get("NLU_CONFIG") else None,
            rate_resident_per_minute=int(env.get("RATE_RESIDENT_PER_MINUTE") or 60),
            rate_new_residents_per_hour=int(env.get("RATE_NEW_RESIDENTS_PER_HOUR") or 300),
            rate_handoffs_per_hour=int(env.get("RATE_HANDOFFS_PER_HOUR") or 30),
        )
