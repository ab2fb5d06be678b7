# 3.11+: except* around a TaskGroup.
import asyncio


async def main(jobs):
    try:
        async with asyncio.TaskGroup() as tg:
            for job in jobs:
                tg.create_task(job())
    except* (ValueError, TypeError) as group:
        for exc in group.exceptions:
            await report(exc)
