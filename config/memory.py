"""Worker processes keep the memory they free, to reuse for their next large arrays.

The feature, clustering and import jobs make and drop numpy arrays of tens to hundreds of megabytes.
By default glibc maps each block over 32 MB on its own and unmaps it when freed, and trims the heap
as soon as its top is free: the next array then starts on fresh pages, each one faulted in and
zeroed by the kernel. On the 2-core machine that kernel time was a third of the feature job's
computing. Kept, freed blocks are reused at once. The price is that a worker stays at the largest
size one of its jobs reached, up to 2 GB above what it holds."""

import ctypes
import ctypes.util

# mallopt(3) parameters.
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
KEPT_BYTES = 2**31 - 1  # the largest value mallopt takes


def freed_memory_kept() -> bool:
    """Serve every block from the heap and return its top to the kernel only beyond KEPT_BYTES.
    True when applied; False where the C library is not glibc (nothing changes)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, TypeError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, KEPT_BYTES))
