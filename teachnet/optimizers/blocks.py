"""A large parameter's update, one block of its numbers at a time.

Every update rule here is elementwise: each number of θ moves according to its own g and
its own slot values, with numbers that are the same for the whole step (lr_t, ρ, ε; see
``teachnet.optimizers.together``). So the rule may run on any piece of θ, with the same
pieces of g and of the slots, and each number meets the same operations in the same
order: the result is the same to the last bit.

What it changes is where the numbers are. RMSprop's rule is nine array operations. On
the 512 x 512 kernel of a Dense layer (a megabyte of float32 for θ, as much for g, for a
and for the scratch array) each operation is a pass through memory, and no cache holds
four megabytes: nine times, the numbers travel from memory to the processor and back.
Run on blocks of ``BLOCK`` numbers (128 KiB of float32), the nine passes over a block
find it in the cache, and the parameter travels through memory about once. Measured on
one core: SGD with Nesterov momentum on a 1600 x 256 kernel took 0.36-0.41 ms against
0.64-0.69 ms in one piece, RMSprop on 663,552 numbers 1.26-1.30 ms against 1.55-1.58 ms
(``benchmarks/README.md``).

The blocks run one after the other on the calling thread. Shared among two threads, they
ran slower here (the calls are short, and the threads wait for each other's turn at
Python's interpreter lock), and in two halves of blocks no faster. On a GPU the rule runs
on the whole parameter: there one long kernel beats many short ones.
"""
from teachnet.backend import array_module as am
from teachnet.optimizers import subnormals

#: numbers of a parameter that one run of the rule takes (128 KiB of float32)
BLOCK = 1 << 15


def update_in_blocks(optimizer, theta, g, step, slots):
    """``optimizer.update_parameter(theta, g, step, *slots)``, BLOCK numbers at a time
    where that pays (a host array of more than two blocks, every array laid out in one
    piece, row by row), else on the whole parameter at once; and the subnormal numbers of
    the slots where a sample finds some set to zero (``optimizers.subnormals``)."""
    to_clear = subnormals.sampled_subnormals(slots)
    if not runs_in_blocks(theta, g, slots):
        optimizer.update_parameter(theta, g, step, *slots)
        subnormals.zero_subnormals(to_clear)
        return
    theta, g, slots = theta.reshape(-1), g.reshape(-1), [slot.reshape(-1) for slot in slots]   # views: no copies
    to_clear = [slot.reshape(-1) for slot in to_clear]
    for first in range(0, theta.size, BLOCK):
        last = first + BLOCK
        optimizer.update_parameter(theta[first:last], g[first:last], step, *[slot[first:last] for slot in slots])
        subnormals.zero_subnormals([slot[first:last] for slot in to_clear])      # while the block is in the cache


def runs_in_blocks(theta, g, slots):
    """Whether ``update_in_blocks`` takes the parameter block by block."""
    if am.get_backend() != 'numpy' or theta.size <= 2 * BLOCK:
        return False
    arrays = [theta, g, *slots]
    return (all(array.flags.c_contiguous for array in arrays)
            and all(array.shape == theta.shape for array in arrays))
