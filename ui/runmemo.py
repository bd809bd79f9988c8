"""Values worked out once per script run (the shown store, the language), instead of in every call that needs them."""
from __future__ import annotations

import threading
from collections.abc import Callable

from streamlit.runtime.scriptrunner import get_script_run_ctx

# A page made ~40 cached reads, each globbing the snapshot folder twice and stat-ing every month file, and a few
# hundred label look-ups, each reading the session state and the URL: together over a tenth of the server's CPU under
# many viewers (bench/load.py --protocol, py-spy). A run works them out once, from app.py's new_run() to its end;
# writes to the store and the language switch happen in widget callbacks, which run before the script does.
_run = threading.local()


def new_run() -> None:
    """Start this script run's memo (app.py calls it first); outside a script run nothing is remembered."""
    _run.ctx, _run.memo = get_script_run_ctx(suppress_warning=True), {}


def per_run(name: object, make: Callable):
    """make() once per script run (on every call outside a run, or in a run that did not start with new_run)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or getattr(_run, "ctx", None) is not ctx:
        return make()
    memo = _run.memo
    if name not in memo:
        memo[name] = make()
    return memo[name]



def remember(name: object, value) -> None:
    """Keep `value` for the rest of this script run (app.py: the page st.navigation chose)."""
    per_run(name, lambda: value)


def recall(name: object):
    """What remember() kept in this script run, or None."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return _run.memo.get(name) if ctx is not None and getattr(_run, "ctx", None) is ctx else None
