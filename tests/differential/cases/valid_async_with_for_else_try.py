async def worker(queue, lock, log):
    while True:
        try:
            async with lock, log.section("work") as section:
                async for job in queue:
                    section.note(job)
                    if job is None:
                        break
                    await job.run()
                else:
                    return "drained"
        except (OSError, ValueError) as exc:
            await log.error(exc)
        finally:
            await log.flush()
