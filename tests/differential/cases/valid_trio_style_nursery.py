import trio


async def child(name, delay, *, task_status=trio.TASK_STATUS_IGNORED):
    task_status.started()
    await trio.sleep(delay)
    return name


async def parent():
    async with trio.open_nursery() as nursery:
        for i in range(3):
            await nursery.start(child, f"c{i}", i / 10)
        nursery.start_soon(child, "last", 0.1)
    send, receive = trio.open_memory_channel(0)
    async with send, receive:
        async for value in receive:
            print(value)
            break


def run():
    trio.run(parent)
