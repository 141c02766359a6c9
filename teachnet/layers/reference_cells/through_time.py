"""A reference cell over a whole sequence, one step at a time: forward in time, then
backward through time (BPTT).

    states_t = step(x_t, states_{t-1})        t = 1 ... T   (go_backwards: t = T ... 1)

Backward through time is the same loop run the other way. At each step the backward step
receives dL/dh_t, the gradient from the output at t plus what step t + 1 sent back (and
for an LSTM dL/dc_t), and returns dL/dx_t, the gradients for the previous states (sent on
to step t - 1) and its share of dL/dW, dL/dU, dL/db: the weights are the same at every
step, so their gradients are the sum over the steps.

A sequence mask (n, T) marks the real steps. At a masked step the states are carried over
unchanged, states_t = states_{t-1}: backward, their gradient passes straight to step t - 1
and the cell's own step receives none.
"""
from teachnet.backend import array_module as am


def timesteps(count, go_backwards=False):
    """The order in which the steps are processed."""
    return list(range(count - 1, -1, -1) if go_backwards else range(count))


def unroll(step, x, initial_states, mask=None, go_backwards=False):
    """``step(x_t, states) -> (states, cache)`` over every timestep of x (n, T, d).

    Returns (h_t of every step (n, T, u) in the order processed, final states, caches)."""
    xp = am.xp()
    states, outputs, caches = tuple(initial_states), [], []
    for t in timesteps(x.shape[1], go_backwards):
        new_states, cache = step(x[:, t], states)
        if mask is not None:
            real = mask[:, t, None]
            new_states = tuple(xp.where(real, new, old) for new, old in zip(new_states, states))
        states = new_states
        outputs.append(states[0])
        caches.append(cache)
    return xp.stack(outputs, axis=1), states, caches


def unroll_backward(step_backward, d_outputs, caches, x_shape, state_count, mask=None, go_backwards=False):
    """BPTT, given d_outputs = dL/dh_t (n, T, u) for every output in the order processed
    (zeros but the last when only the last state is returned).

    Returns (dL/dx (n, T, d), dL/d(initial states), [dL/dW, dL/dU, dL/db])."""
    xp = am.xp()
    dx = xp.zeros(x_shape, dtype=d_outputs.dtype)
    d_states = [xp.zeros_like(d_outputs[:, 0]) for _ in range(state_count)]
    d_weights = None
    order = timesteps(x_shape[1], go_backwards)
    for s in reversed(range(len(order))):
        t = order[s]
        d_states[0] = d_states[0] + d_outputs[:, s]
        carried = [0] * state_count
        if mask is not None:
            real = mask[:, t, None]
            carried = [xp.where(real, 0, d) for d in d_states]
            d_states = [xp.where(real, d, 0) for d in d_states]
        dx[:, t], d_previous, d_step = step_backward(tuple(d_states), caches[s])
        d_states = [d + kept for d, kept in zip(d_previous, carried)]
        d_weights = list(d_step) if d_weights is None else [a + b for a, b in zip(d_weights, d_step)]
    return dx, tuple(d_states), d_weights
