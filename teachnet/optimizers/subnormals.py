"""An optimizer's running averages set to zero where they fall below the normal floats.

A float32 holds numbers down to 2⁻¹²⁶ ≈ 1.2e-38 with all its 24 bits; below that, down to
1.4e-45, it holds *subnormal* numbers, with fewer and fewer bits. Processors compute with
them much more slowly: on this machine a product (128, 512)·(512, 512) with half of one
factor subnormal took 46 ms against 0.58 ms, and a product of an array by a number 25
times as long.

An optimizer's running averages drift down there. RMSprop's a ← ρ·a + (1-ρ)·g² shrinks by
ρ at each step where g is (nearly) zero, as it is for the weights of a unit that no longer
fires; with ρ = 0.9 it takes about 150 steps to cross the subnormal range to zero, and
every step on the way is slow. Training the guide's MLP (784-512-512-10, relu, RMSprop)
took 3.2 s for its first epoch and 7.9 s for each epoch from the third on, when 500,000 of
its 670,000 averages were subnormal: the optimizer's step took 10.8 ms against 1.1.

So at each step the optimizer sets its slots' subnormal numbers to zero (on the host: a
GPU computes with them at full speed). Looking at every number would cost three more
passes over the slots (on the MLP, 0.7 ms a step against the rule's 1.2). Before the step
it looks at every ``SAMPLE_STEP``-th number of each slot; where some of those are subnormal,
it clears that slot after the step, block by block while each block is in the cache. A
few subnormal numbers cost little; many are found at once. That costs the MLP 0.12 ms a
step (1.31-1.34 against 1.44-1.46 ms).

What that changes: the slots, below 1.2e-38 only. A weight's step is lr·g/(√a + ε) (Adam:
lr_t·m/(√v + ε)), and √a of a subnormal a is below 1.1e-19: leaving it out of √a + ε
changes nothing next to ε = 1e-8, whose last bit is worth 8.9e-16. A later average
ρ·a + (1-ρ)·g² holds the dropped part only below 1.2e-38, so its square root moves by less
than that, and the step changes only if it lands exactly on a rounding edge of √a + ε. The
MLP's weights after three epochs were the same to the last bit with and without the
clearing, for RMSprop and for Adam, and the three epochs took 9.8 s against 16.6 (Adam:
10.9 against 17.4).
"""
import numpy

from teachnet.backend import array_module as am

#: a slot's sample: every SAMPLE_STEP-th number (a prime: no row length of a parameter
#: lines up with it)
SAMPLE_STEP = 61


def sampled_subnormals(slots):
    """The host arrays among ``slots`` whose sample of every SAMPLE_STEP-th number holds a
    subnormal one: the slots to clear (none on a GPU)."""
    if am.get_backend() != 'numpy':
        return []
    found = []
    for slot in slots:
        magnitude = numpy.abs(slot.reshape(-1)[::SAMPLE_STEP] if slot.flags.c_contiguous else slot.flat[::SAMPLE_STEP])
        if numpy.any((magnitude < numpy.finfo(slot.dtype).tiny) & (magnitude > 0)):
            found.append(slot)
    return found


def zero_subnormals(arrays):
    """Set the subnormal numbers of each array in ``arrays`` to zero, in place (a -0
    becomes 0 on the way)."""
    for array in arrays:
        numpy.putmask(array, numpy.less(numpy.abs(array), numpy.finfo(array.dtype).tiny), 0)
