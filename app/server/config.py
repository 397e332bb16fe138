"""Settings of the Dinsos intake server: where its data lives, which database, how large a request may be."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from app.sync.envelope import MAX_ENVELOPE_BYTES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def default_server_dir() -> Path:
    """USULKAN_SERVER_DIR, else a folder beside the user's data (never the office's folder)."""
    override = os.environ.get("USULKAN_SERVER_DIR")
    if override:
        return Path(override)
    from app.paths import default_server_data_dir

    return default_server_data_dir()


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_server_dir)
    # None means the SQLite file in data_dir; a postgresql+psycopg:// URL for a city or province.
    database_url: str | None = None
    # What provisioning documents tell offices to call; the operator sets the public address.
    public_url: str = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
    # The largest envelope the format allows; a larger body is refused before it is read whole.
    max_body_bytes: int = MAX_ENVELOPE_BYTES
    max_json_bytes: int = 64 * 1024
    session_ttl: timedelta = timedelta(hours=8)
    status_page_size: int = 500
    # Document blobs: None is the folder data_dir/blobs; s3://bucket/prefix is S3-compatible storage.
    blob_url: str | None = None
    s3_endpoint_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'dinsos.db'}"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Settings from USULKAN_SERVER_* variables, then explicit overrides (the CLI's flags)."""
        values: dict = {}
        if os.environ.get("USULKAN_SERVER_DATABASE_URL"):
            values["database_url"] = os.environ["USULKAN_SERVER_DATABASE_URL"]
        if os.environ.get("USULKAN_SERVER_PUBLIC_URL"):
            values["public_url"] = os.environ["USULKAN_SERVER_PUBLIC_URL"]
        for key in ("blob_url", "s3_endpoint_url"):
            if os.environ.get(f"USULKAN_SERVER_{key.upper()}"):
                values[key] = os.environ[f"USULKAN_SERVER_{key.upper()}"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
