"""Freed host arrays stay with the process, for the next batch to reuse.

A training step makes the same big arrays every batch (feature maps, their gradients,
masks) and frees them again. With glibc's malloc (Linux) every block of more than 128 KiB
to 32 MiB is, by default, either handed out as fresh pages from the kernel or given back
to it when freed. Fresh pages cost a page fault each (4 KiB) the first time they are
written: about 4,600 faults and 6-7 ms of kernel time in every 55 ms batch of the guide's
convnet on 3x32x32 images, one thread.

``keep_freed_memory`` asks malloc to serve blocks up to 32 MiB from its heap
(``M_MMAP_THRESHOLD``) and to keep up to 1 GiB of freed memory at the heap's top instead
of returning it (``M_TRIM_THRESHOLD``). The next batch's arrays then land on pages already
mapped. The process keeps its peak memory; the numbers computed do not change (only where
the arrays live). teachnet calls it once, on import; the environment variable
``TEACHNET_KEEP_FREED_MEMORY=0`` leaves malloc as it was. Elsewhere than glibc it does
nothing.
"""
import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3        # glibc's <malloc.h>
MMAP_THRESHOLD = 32 << 20                          # the largest glibc accepts on 64 bits
TRIM_THRESHOLD = 1 << 30


def keep_freed_memory():
    """Set glibc malloc's thresholds as above; True when both took, False elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
        mallopt = libc.mallopt
    except (OSError, AttributeError):                # not glibc: macOS, Windows, musl
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def on_import():
    """What teachnet does on import: keep freed memory unless told not to."""
    if os.environ.get('TEACHNET_KEEP_FREED_MEMORY', '1') != '0':
        return keep_freed_memory()
    return False
