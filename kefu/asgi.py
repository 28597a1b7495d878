import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

# How long a Python thread may hold the interpreter before another runs (Python's default:
# 5 ms). A server process runs its event loop, the requests' threads and the hotline's step
# threads side by side; with 1 ms a short step waits less behind a busy thread (the IVR
# benchmark's p99 at 200 callers: 68 → 45 ms, docs/benchmarks.md).
_switch = os.environ.get("KEFU_THREAD_SWITCH_MS") or "1"
try:
    sys.setswitchinterval(float(_switch) / 1000)
except ValueError:
    raise SystemExit(
        f"KEFU_THREAD_SWITCH_MS must be a number of milliseconds above 0, not {_switch!r}"
    ) from None

application = get_asgi_application()
