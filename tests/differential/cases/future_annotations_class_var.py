from __future__ import annotations


class Config:
    timeout: await default_timeout()
    retries: int = 3
