from __future__ import annotations

# 3.7-3.9: annotations are never compiled; 3.10+: await is rejected in them.
async def handler(request: await get_type()) -> int:
    return 1
