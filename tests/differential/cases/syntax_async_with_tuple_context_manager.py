# A parenthesized tuple as the context manager: valid syntax on every version (a tuple
# is not a context manager, so this fails at run time, but it compiles).
async def main(a, b):
    async with (a, b):
        pass
    with (a, b,):
        pass
