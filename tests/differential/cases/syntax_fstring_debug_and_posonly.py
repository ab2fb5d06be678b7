# 3.8+: positional-only parameters and f-string `=`; 3.7 rejects both.
async def main(a, /, b=1):
    return f"{await a(b)=}"
