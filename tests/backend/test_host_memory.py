"""Freed host arrays stay mapped for the next batch (teachnet/backend/host_memory.py):
a run of allocations like a training step's, repeated, touches no fresh pages."""
import os
import subprocess
import sys

import pytest

from teachnet.backend import host_memory

STEPS = '''
import resource
import numpy as np
import teachnet
rng = np.random.default_rng(0)
sizes = rng.integers(1 << 17, 30 << 18, 40)          # float32 counts: 0.5 MB to 30 MB
def step():
    kept = []
    for n in sizes:
        a = np.empty(n, dtype='float32')
        a[::1024] = 1                                  # one write to every 4 KiB page
        kept.append(a)
        if len(kept) > 4:
            kept.pop(int(n) % 4)
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
'''


def page_faults_per_step(keep):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, TEACHNET_KEEP_FREED_MEMORY=keep,
               PYTHONPATH=os.pathsep.join([root, os.environ.get('PYTHONPATH', '')]))
    out = subprocess.run([sys.executable, '-c', STEPS], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith('linux') or not host_memory.keep_freed_memory(),
                    reason="glibc's malloc only")
def test_repeated_steps_reuse_the_pages_they_freed():
    kept, returned = page_faults_per_step('1'), page_faults_per_step('0')
    assert kept < 50, f'{kept} page faults per step with freed memory kept'
    assert returned > 10 * max(kept, 1), f'{returned} page faults per step without (the check would see nothing)'
