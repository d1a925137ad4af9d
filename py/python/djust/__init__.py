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

__all__ = ["LiveTemplate", "__version__", "core_version"]
