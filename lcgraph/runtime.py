"""Process-wide settings that lcgraph's own processes apply when they start.

The ``lcgraph`` command calls :func:`keep_freed_memory` before any subcommand (so ``lcgraph
serve`` and ``lcgraph analyse`` run with it), and so do the benchmark's measuring processes;
importing the library changes nothing in the importing process. A Python program that uses
the library for heavy analysis may call it too.

Why: glibc's ``malloc`` serves large blocks with ``mmap`` and hands freed memory at the top
of its heap back to the kernel once a little of it is free; it raises both limits only as it
sees large blocks freed. The vectorised analysis kernels allocate and free many arrays of a
few megabytes, so until those limits have grown every such array comes back as fresh pages,
each a page fault (about 2 µs on this project's VMs). Setting the limits from the start
(blocks up to 32 MB from the heap, up to 128 MB of freed heap kept for reuse) removes most of
those faults: brokerage on a 50,000-node, 250,000-edge graph takes ~71 ms instead of ~86 ms,
for ~12 MB more resident memory (docs/bench.md). These are glibc's own settings, the ones its
``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` environment variables set; the top
pad alone (``M_TOP_PAD``) is no substitute: it freezes the ``mmap`` limit at 128 kB, and a
loop over 4 MB temporaries then runs ten times slower.
"""

from __future__ import annotations

import os

__all__ = ["HEAP_BLOCK", "KEEP_FREED", "is_glibc", "keep_freed_memory"]

#: blocks up to this size come from the heap, not from ``mmap`` (glibc's largest allowed value)
HEAP_BLOCK = 32 << 20
#: bytes of freed memory at the top of the heap kept for reuse rather than returned
KEEP_FREED = 128 << 20

# glibc's malloc.h
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_OPERATOR_SETTINGS = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_")


def keep_freed_memory(keep: int | None = None) -> bool:
    """Ask glibc's ``malloc`` to serve blocks up to :data:`HEAP_BLOCK` from its heap and keep
    up to ``keep`` bytes of freed memory for reuse.

    ``keep`` defaults to ``LCGRAPH_MALLOC_KEEP`` from the environment (bytes; ``0`` turns the
    setting off), else :data:`KEEP_FREED`. Nothing is changed when the C library is not glibc,
    or when the operator already tuned ``malloc`` (``MALLOC_TRIM_THRESHOLD_``,
    ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TOP_PAD_``, or ``glibc.malloc`` in
    ``GLIBC_TUNABLES``). Returns whether the settings were applied.
    """
    if keep is None:
        text = os.environ.get("LCGRAPH_MALLOC_KEEP", "").strip()
        try:
            keep = int(text) if text else KEEP_FREED
        except ValueError:
            return False  # a malformed setting is ignored, as glibc ignores its own
    if keep <= 0:
        return False
    if any(name in os.environ for name in _OPERATOR_SETTINGS):
        return False
    if "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    if not is_glibc():
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # the trim threshold first: setting either one stops glibc adjusting both on its own
    kept = mallopt(_M_TRIM_THRESHOLD, min(keep, 2**31 - 1))
    return bool(kept and mallopt(_M_MMAP_THRESHOLD, HEAP_BLOCK))


def is_glibc() -> bool:
    """Whether this process runs on glibc (whose ``malloc`` the settings are for)."""
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (AttributeError, ValueError, OSError):  # no confstr, or a name it does not know
        return False
