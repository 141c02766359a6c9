"""Small parameters updated together: the rule runs once, on all of them laid end to end.

Every update rule here is elementwise. Each number of θ moves according to its own g and
its own slot values (RMSprop's a, Adam's m and v), with numbers that are the same for
the whole step (lr_t, ρ, ε). So nothing changes if the parameters are first laid end to
end, θ as one long vector, g as another, each slot as another:

    θ = [W_1 | U_1 | b_1 | W_2 | ...]      g = [dL/dW_1 | dL/dU_1 | ...]      a = [a_W1 | ...]

the rule applied once, to the long vectors, and θ's numbers put back in their
parameters. Every number meets the same operations in the same order, so the result is
the same to the last bit as one parameter at a time.

What it saves is calls. RMSprop's rule is nine array operations; applied to the eleven
parameters of three LSTM(32) and a Dense(10), that is 99 calls of a microsecond or
two each, on arrays of a few thousand numbers, where a call costs more than its
arithmetic. Together it is the nine, plus two to lay θ and g end to end and one per
parameter to put θ back. A big parameter gains nothing (its calls are long anyway) and
would only be copied twice more: parameters of more than ``SMALL_PARAMETER`` numbers
are updated alone.

The slots of the small parameters live in the long vectors from then on: the optimizer's
``slots`` hold views of them, one per parameter, so a saved state or a student reading
``optimizer.slots`` sees the usual one-array-per-parameter layout.
"""
import itertools

from teachnet.backend import array_module as am
from teachnet.ops.row_gradient import RowGradient
from teachnet.optimizers.blocks import update_in_blocks

#: parameters of at most this many numbers are updated together
SMALL_PARAMETER = 1 << 16


class SmallParameters:
    """Long vectors for one fixed list of small parameters of one dtype: θ, g and each of
    the optimizer's slots laid end to end, and where each parameter's numbers sit."""

    def __init__(self, optimizer, params, indices):
        xp = am.xp()
        self.indices = tuple(indices)
        self.shapes = [params[index].data.shape for index in indices]
        sizes = [params[index].data.size for index in indices]
        ends = list(itertools.accumulate(sizes))
        self.spans = [(end - size, end) for size, end in zip(sizes, ends)]
        dtype = params[indices[0]].data.dtype
        self.theta, self.gradient = xp.empty(ends[-1], dtype=dtype), xp.empty(ends[-1], dtype=dtype)
        self.slots, self.slot_places = [], []
        for name in optimizer.slot_names:                   # each slot moves into a long vector
            arrays, long_slot = optimizer.slots[name], xp.empty(ends[-1], dtype=dtype)
            for index, (start, stop), shape in zip(indices, self.spans, self.shapes):
                long_slot[start:stop] = arrays[index].reshape(-1)
                arrays[index] = long_slot[start:stop].reshape(shape)     # the slot is now a view of it
                self.slot_places.append((arrays, index, arrays[index]))
            self.slots.append(long_slot)
        self.slot_lists = [optimizer.slots[name] for name in optimizer.slot_names]
        self.theta_parts = [self.theta[start:stop].reshape(shape) for (start, stop), shape in zip(self.spans, self.shapes)]

    def serves(self, optimizer, indices):
        """Whether these vectors still belong to ``indices`` and to the optimizer's slots
        (a restored state puts new slot arrays in their place)."""
        return (self.indices == tuple(indices)
                and all(optimizer.slots[name] is arrays for name, arrays in zip(optimizer.slot_names, self.slot_lists))
                and all(arrays[index] is view for arrays, index, view in self.slot_places))

    def update(self, optimizer, params, gradients, step):
        """One step of the rule on all these parameters at once; ``gradients`` are their
        full gradient arrays, in the order of ``indices``."""
        xp = am.xp()
        xp.concatenate([params[index].data.reshape(-1) for index in self.indices], out=self.theta)
        xp.concatenate([g.reshape(-1) for g in gradients], out=self.gradient)
        update_in_blocks(optimizer, self.theta, self.gradient, step, self.slots)
        for index, part in zip(self.indices, self.theta_parts):
            params[index].data[...] = part


def small_ones(params, indices, gradients):
    """The positions (into ``indices``) of the parameters to update together: at most
    SMALL_PARAMETER numbers, a full gradient (no RowGradient) of the parameter's own dtype,
    and the dtype of the first such. Empty when fewer than two qualify."""
    chosen, dtype = [], None
    for position, (index, g) in enumerate(zip(indices, gradients)):
        data = params[index].data
        if (not isinstance(g, RowGradient) and data.size <= SMALL_PARAMETER and g.dtype == data.dtype
                and dtype in (None, data.dtype)):
            chosen.append(position)
            dtype = data.dtype
    return chosen if len(chosen) > 1 else []
