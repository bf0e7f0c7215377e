"""Worker processes keep the memory they free, to reuse for their next large arrays.

The feature, clustering and import jobs make and drop numpy arrays of tens to hundreds of megabytes,
on the main thread and in thread pools. By default glibc maps each block over 32 MB on its own and
unmaps it when freed, gives each thread a pool of its own that cannot hold a block over 64 MB, and
trims a heap as soon as its top is free: the next array then starts on fresh pages, each one faulted
in and zeroed by the kernel. On the 2-core machine that kernel time was a third of the feature job's
computing. Here every block comes from the one main heap, whichever thread asks, and freed blocks are
reused at once. The price is that a worker keeps the largest size one of its jobs reached: memory freed
inside the heap stays with the process, and only a free stretch of more than 2 GB at its top goes back."""

import ctypes
import ctypes.util

# mallopt(3) parameters.
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
M_ARENA_MAX = -8
TOP_KEPT_BYTES = 2**31 - 1  # the largest value mallopt takes


def freed_memory_kept() -> bool:
    """Serve every block from the main heap and trim its top only beyond TOP_KEPT_BYTES. Call before
    the process starts threads. True when applied; False where the C library is not glibc (nothing
    changes)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, TypeError, AttributeError):
        return False
    settings = ((M_ARENA_MAX, 1), (M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, TOP_KEPT_BYTES))
    return all(mallopt(parameter, value) == 1 for parameter, value in settings)
