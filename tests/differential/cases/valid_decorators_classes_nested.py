import functools


def retry(times):
    def decorate(fn):
        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            for attempt in range(times):
                try:
                    return await fn(*args, **kwargs)
                except ConnectionError:
                    if attempt == times - 1:
                        raise
        return wrapper
    return decorate


class Client:
    retries = 3

    def __init__(self, transport):
        self.transport = transport

    @retry(3)
    async def get(self, key, default=None):
        async with self.transport.lock:
            value = await self.transport.get(key)
        return default if value is None else value

    async def __aenter__(self):
        await self.transport.open()
        return self

    async def __aexit__(self, *exc):
        await self.transport.close()

    @property
    def closed(self):
        return self.transport.closed

    async def stream(self, keys):
        for key in keys:
            yield await self.get(key)

    async def gather(self, keys):
        async def one(k):
            return k, await self.get(k)
        return dict([await one(k) for k in keys])
