import subprocess
import sys
from pathlib import Path

# A process frees a 400 MB array and reports how much of it it still holds.
FREE_AND_MEASURE = """
import sys
import threading
import numpy as np
sys.path.insert(0, {root!r})
from config.memory import freed_memory_kept

def resident_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) // 1024

if {kept}:
    assert freed_memory_kept()


def freed_in(thread: bool) -> int:
    before = resident_mb()
    if thread:
        worker = threading.Thread(target=lambda: np.ones(50_000_000).sum())
        worker.start()
        worker.join()
    else:
        np.ones(50_000_000).sum()
    return resident_mb() - before

print(freed_in(thread={in_thread}))
"""


def _held_after_free(*, kept: bool, in_thread: bool = False) -> int:
    root = str(Path(__file__).resolve().parent.parent)
    script = FREE_AND_MEASURE.format(root=root, kept=kept, in_thread=in_thread)
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return int(output.stdout)


def test_a_worker_keeps_a_freed_block_for_its_next_arrays():
    assert _held_after_free(kept=True) >= 350


def test_a_block_freed_by_a_thread_is_kept_too():
    assert _held_after_free(kept=True, in_thread=True) >= 350


def test_by_default_a_freed_block_goes_back_to_the_kernel():
    assert _held_after_free(kept=False) < 50
