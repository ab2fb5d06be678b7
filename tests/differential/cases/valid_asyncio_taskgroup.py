import asyncio
import contextlib


@contextlib.asynccontextmanager
async def connection(host):
    reader, writer = await asyncio.open_connection(host, 80)
    try:
        yield reader, writer
    finally:
        writer.close()
        await writer.wait_closed()


async def fetch(host):
    async with connection(host) as (reader, writer):
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        await writer.drain()
        return await reader.read()


async def main(hosts):
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch(h)) for h in hosts]
    results = {t.get_name(): t.result() for t in tasks}
    async with asyncio.timeout(10):
        await asyncio.sleep(0)
    return results


if __name__ == "__main__":
    asyncio.run(main(["example.com"]))
