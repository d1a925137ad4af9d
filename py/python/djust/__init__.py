"""djust: Django LiveViews with a Rust core.

The public names live here; the implementation is in submodules and in the
``djust._native`` extension built from the Rust crates.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

from djust._native import version as core_version
from djust.live import LiveTemplate

try:
    __version__ = _dist_version("djust")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = core_version()

__all__ = ["LiveTemplate", "__version__", "core_version", "optimize", "plan_for"]


def __getattr__(name: str) -> object:
    # The ORM JIT imports Django's ORM; load it on first use so `import djust` stays light.
    if name in {"optimize", "plan_for"}:
        import djust.optimize as module  # noqa: PLC0415

        return module if name == "optimize" else module.plan_for
    raise AttributeError(f"module 'djust' has no attribute {name!r}")
