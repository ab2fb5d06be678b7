from __future__ import annotations

# 3.10+ rejects await even in a local variable annotation under the future import.
async def handler(request):
    body: await request.kind() = await request.read()
    return body
