# 3.12+: the value of a type alias is a (non-async) annotation scope.
async def main():
    type Payload = await schema()
    return Payload
