"""API keys: write keys may change the archive, read keys (when any are set) are needed to read the API.

Keys come from settings (``BERITA_API_KEYS``, ``BERITA_API_KEYS_FILE``, ``BERITA_READ_KEYS``) and are kept only as
SHA-256 digests; a presented key is hashed and compared with every known digest in constant time, so neither
its length nor how much of it matched shows in the time taken. Keys are never logged."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..core.config import WebConfig
from ..errors import ConfigError

Role = Literal["write", "read"]


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


@dataclass(frozen=True)
class Keys:
    write: tuple[bytes, ...] = ()
    read: tuple[bytes, ...] = ()

    @classmethod
    def from_settings(cls, web: WebConfig) -> Keys:
        write = list(web.api_keys)
        if web.api_keys_file:
            try:
                write += [line.strip() for line in Path(web.api_keys_file).read_text(encoding="utf-8").splitlines()]
            except OSError as exc:
                raise ConfigError(f"BERITA_API_KEYS_FILE={web.api_keys_file}: {exc.strerror or exc}") from exc
        write = [k for k in write if k and not k.startswith("#")]
        read = list(web.read_keys)
        for key in [*write, *read]:
            if len(key) < 16:
                raise ConfigError("an API key must be at least 16 characters (use: openssl rand -hex 24)")
        return cls(tuple(map(_digest, write)), tuple(map(_digest, read)))

    def role(self, key: str | None) -> Role | None:
        """What ``key`` may do: "write" (which includes reading), "read", or None for no key or an unknown one."""
        if not key:
            return None
        digest = _digest(key)
        is_write = any([hmac.compare_digest(digest, d) for d in self.write])  # a list: every digest compared
        is_read = any([hmac.compare_digest(digest, d) for d in self.read])
        return "write" if is_write else "read" if is_read else None
