"""Gradient checking: is backward right? Compare it with central differences.

``gradient_check(model_or_layer, x, y)`` computes every parameter's gradient twice: once
by backward (what training uses) and once numerically, nudging each weight by ±h:

    dL/dθ_i ≈ (L(θ + h·e_i) - L(θ - h·e_i)) / 2h

Both run in float64 on a copy of the weights. By default in test mode, dropout off; with
``training=True`` in training mode, dropout on, and every evaluation of L draws the same
masks (the dropout generator restarts from one seed before each), so that L changes only
with the nudged weight. For the same reason every evaluation of a stateful model starts
from the states it carries now, which are left as they were. A relative error around 1e-7
or below means backward is right; above 1e-4 something is wrong.
"""
import html

from teachnet.backend import array_module as am
from teachnet.inspect.gradient_check_chart import error_bars_svg
from teachnet.inspect.kept_states import kept_states
from teachnet.inspect.numerical import central_differences, relative_error
from teachnet.ops.tape import Tape, no_tape
from teachnet.ops.tensor import Tensor

np = am.host


class GradientCheckReport:
    """One row per parameter: its name, shape, how many entries were checked and the
    largest relative error between backward and central differences."""

    def __init__(self, rows, tolerance):
        self.rows = rows
        self.tolerance = tolerance

    @property
    def max_error(self):
        return max((row['relative_error'] for row in self.rows), default=0.0)

    @property
    def passed(self):
        return self.max_error <= self.tolerance

    def __getitem__(self, name):
        for row in self.rows:
            if row['parameter'] == name:
                return row['relative_error']
        raise KeyError(name)

    def __str__(self):
        lines = [f"{'parameter':28s} {'shape':14s} {'checked':>8s} {'relative error':>15s}"]
        for row in self.rows:
            lines.append(f"{row['parameter']:28s} {str(row['shape']):14s} {row['checked']:8d} "
                         f"{row['relative_error']:15.2e}")
        verdict = 'PASSED' if self.passed else 'FAILED'
        lines.append(f'{verdict}: largest relative error {self.max_error:.2e} (tolerance {self.tolerance:.0e})')
        return '\n'.join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        """In a notebook: the table, and beside it one bar per parameter (error_bars_svg)."""
        return (f'<div class="teachnet-gradient-check" style="display:flex;gap:16px;align-items:flex-start">'
                f'<pre>{html.escape(str(self))}</pre>{error_bars_svg(self)}</div>')


class _float64_weights:
    """Context manager: the model's parameters temporarily in float64."""

    def __init__(self, params):
        self.params = params

    def __enter__(self):
        self.saved = [(p.data, p.grad) for p in self.params]
        self.saved_floatx = am.floatx()
        am.set_floatx('float64')
        for p in self.params:
            p.data = am.to_device(am.to_numpy(p.data).astype('float64'))
        return self

    def __exit__(self, *exc_info):
        for p, (data, grad) in zip(self.params, self.saved):
            p.data, p.grad = data, grad
        am.set_floatx(self.saved_floatx)
        return False


def gradient_check(model_or_layer, x, y=None, max_checks=200, tolerance=1e-6, step=1e-5, seed=0,
                   training=False):
    """Relative error of every parameter's backward gradient against central differences.

    # Arguments
        model_or_layer: a compiled model (its loss on ``y`` is checked) or a built layer
            (then L = Σ r ⊙ output with fixed random r).
        x, y: a small batch of data.
        max_checks: at most this many entries per parameter are checked (chosen at random);
            None checks them all.
        training: check training mode (dropout on, the same masks in every evaluation).
    """
    rng = np.random.default_rng(seed)
    is_model = hasattr(model_or_layer, 'layers')
    params = model_or_layer.params
    with _float64_weights(params), am.same_dropout_masks(seed) as masks:
        loss_of = _model_loss(model_or_layer, x, y, training) if is_model else \
            _layer_loss(model_or_layer, x, rng, training)
        loss_of = _from_the_carried_states(model_or_layer, masks.before_each_call(loss_of))
        for p in params:
            p.grad = None
        with Tape() as tape:
            loss = loss_of()
        tape.backward(loss)
        analytic = {p.name: am.to_numpy(p.grad) if p.grad is not None else np.zeros(p.shape) for p in params}
        rows = []
        for p in params:
            host = am.to_numpy(p.data).copy()
            flat = host.reshape(-1)
            chosen = np.arange(flat.size) if max_checks is None or flat.size <= max_checks else \
                np.sort(rng.choice(flat.size, max_checks, replace=False))
            values = flat[chosen].copy()

            def numeric_loss():
                flat[chosen] = values
                p.data = am.to_device(host)
                with no_tape():
                    return float(loss_of().data)
            numeric = central_differences(numeric_loss, values, step)
            flat[chosen] = values
            p.data = am.to_device(host)
            rows.append({'parameter': p.name, 'shape': tuple(p.shape), 'checked': int(chosen.size),
                         'relative_error': relative_error(analytic[p.name].reshape(-1)[chosen], numeric)})
    return GradientCheckReport(rows, tolerance)


def _from_the_carried_states(model_or_layer, loss_of):
    """``loss_of``, each evaluation starting from the states a stateful model carries now
    and leaving them so: L(θ) is then one function of θ, and the model is as it was."""
    def loss_from_the_same_states():
        with kept_states(model_or_layer):
            return loss_of()
    return loss_from_the_same_states


def _model_loss(model, x, y, training=False):
    """L(θ) on the batch, as ``test_on_batch`` computes it (every penalty included), in
    training mode when ``training`` (dropout on: the caller holds its masks fixed)."""
    if model.optimizer is None or y is None:
        raise ValueError("gradient_check on a model needs a compiled model and targets y "
                         "(or pass a single layer).")

    def loss_of():
        return model.batch_loss(x, y, training=training).loss
    return loss_of


def _layer_loss(layer, x, rng, training=False):
    x = am.to_device(np.asarray(am.to_numpy(x)), dtype=layer.input_dtype or 'float64')
    with no_tape():
        output_shape = layer(Tensor(x), False).shape
    weights = am.to_device(rng.standard_normal(output_shape))

    def loss_of():
        return (layer(Tensor(x), training) * weights).sum()
    return loss_of
