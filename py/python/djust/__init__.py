"""djust: Django LiveViews with a Rust core.

The public names live here; the implementation is in submodules and in the
``djust._native`` extension built from the Rust crates.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from typing import Any

from djust._native import version as core_version
from djust.decorators import event_handler
from djust.live import LiveTemplate

try:
    __version__ = _dist_version("djust")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = core_version()

__all__ = [
    "LiveTemplate",
    "LiveView",
    "__version__",
    "core_version",
    "event_handler",
    "optimize",
    "plan_for",
]


def __getattr__(name: str) -> Any:
    # LiveView imports Django's views and auth, and the ORM JIT imports Django's
    # ORM: both need the app registry, so load them on first use and keep
    # `import djust` light while Django sets up.
    if name == "LiveView":
        from djust.liveview import LiveView

        return LiveView
    if name in {"optimize", "plan_for"}:
        import djust.optimize as module  # noqa: PLC0415

        return module if name == "optimize" else module.plan_for
    raise AttributeError(f"module 'djust' has no attribute {name!r}")
