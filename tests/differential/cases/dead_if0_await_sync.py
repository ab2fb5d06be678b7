# 3.7 drops `if 0:` bodies before checking them; 3.8+ reject.
def compat():
    if 0:
        await legacy()
    return 1
