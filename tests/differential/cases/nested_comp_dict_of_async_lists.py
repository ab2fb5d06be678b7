# 3.11+ accepts; 3.7-3.10 reject the inner async comprehension.
async def group(buckets):
    return {key: [v async for v in values] for key, values in buckets.items()}
