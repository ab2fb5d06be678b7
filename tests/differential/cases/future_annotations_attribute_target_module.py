from __future__ import annotations

import types

# The annotation of a non-simple target at module level is still evaluated by
# 3.7-3.9 even under the future import; 3.10+ reject await in any annotation.
ns = types.SimpleNamespace()
ns.value: await make_type()
