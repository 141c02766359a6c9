"""Row-sparse updates: an embedding's gradient reaches only the rows it looked up, and the
optimizers whose rule leaves θ alone for g = 0 update those rows only, with exactly the
numbers of the full update."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.backend import sample_passes
from teachnet.layers import Dense, Flatten
from teachnet.layers.embeddings import Embedding
from teachnet.models import Sequential
from teachnet.ops.embedding import EmbeddingLookup, embedding_lookup
from teachnet.ops.row_gradient import RowGradient
from teachnet.ops.tape import Tape
from teachnet.ops.tensor import Parameter, Tensor
from teachnet.optimizers import SGD, Adadelta, Adagrad, Adam, RMSprop

OPTIMIZERS = {
    'rmsprop': lambda: RMSprop(lr=0.01),
    'adagrad': lambda: Adagrad(lr=0.1),
    'adadelta': lambda: Adadelta(),
    'sgd': lambda: SGD(lr=0.1),
    'sgd momentum': lambda: SGD(lr=0.1, momentum=0.9, nesterov=True),      # full update
    'adam': lambda: Adam(lr=0.01),                                         # full update
    'rmsprop clipnorm': lambda: RMSprop(lr=0.01, clipnorm=0.5),            # clipping keeps zero rows zero
    'adagrad clipvalue': lambda: Adagrad(lr=0.1, clipvalue=0.3),
}


def row_sparse_gradients(rng, shape, steps):
    """(gradient, rows) per step: random values on a few rows, zeros elsewhere."""
    result = []
    for _ in range(steps):
        rows = np.unique(rng.integers(0, shape[0], size=4))
        grad = np.zeros(shape, dtype='float32')
        grad[rows] = rng.standard_normal((len(rows), shape[1]))
        result.append((grad, rows))
    return result


@pytest.mark.parametrize('threads', [1, 2, 3])
@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_updating_the_rows_gives_the_numbers_of_the_full_update(monkeypatch, name, threads):
    """Also with the rows shared by threads, each taking a range of θ's rows."""
    monkeypatch.setattr(sample_passes, 'pass_threads', lambda: threads)
    rng = np.random.default_rng(0)
    start = rng.standard_normal((30, 3)).astype('float32')
    steps = row_sparse_gradients(rng, start.shape, 5)
    results = []
    for use_rows in (False, True):
        theta = Parameter(am.to_device(start.copy()))
        optimizer = OPTIMIZERS[name]()
        for grad, rows in steps:
            theta.grad = am.to_device(grad)
            if use_rows:
                theta.grad_rows = am.to_device(rows)
            optimizer.update([theta])
        results.append((am.to_numpy(theta.data), [am.to_numpy(slot) for slots in optimizer.slots.values()
                                                  for slot in slots]))
    (dense_theta, dense_slots), (row_theta, row_slots) = results
    np.testing.assert_array_equal(row_theta, dense_theta)
    for row_slot, dense_slot in zip(row_slots, dense_slots):
        np.testing.assert_array_equal(row_slot, dense_slot)
    assert not np.array_equal(dense_theta, start)


def test_rmsprop_moves_only_the_rows_with_a_gradient_and_decays_the_rest():
    theta = Parameter(am.to_device(np.ones((5, 2), dtype='float32')))
    optimizer = RMSprop(lr=0.1, rho=0.5)
    optimizer.update([theta])                                       # no gradient yet: nothing happens
    optimizer.slots['mean_square'][0][...] = 4.0
    theta.grad = am.to_device(np.array([[0, 0], [2, 2], [0, 0], [0, 0], [0, 0]], dtype='float32'))
    theta.grad_rows = am.to_device(np.array([1]))
    optimizer.update([theta])
    a = am.to_numpy(optimizer.slots['mean_square'][0])
    np.testing.assert_allclose(a[[0, 2, 3, 4]], 2.0)                  # a ← ρ·a on rows without a gradient
    np.testing.assert_allclose(a[1], 0.5 * 4 + 0.5 * 4)               # a ← ρ·a + (1-ρ)·g²
    moved = am.to_numpy(theta.data)
    np.testing.assert_array_equal(moved[[0, 2, 3, 4]], 1.0)
    np.testing.assert_allclose(moved[1], 1 - 0.1 * 2 / (2 + 1e-8), rtol=1e-6)


def test_a_second_contribution_or_a_new_gradient_forgets_the_rows():
    weights = Parameter(am.to_device(np.ones((6, 2), dtype='float32')))
    ids = am.to_device(np.array([[2, 3]]))
    with Tape() as tape:
        y = embedding_lookup(ids, weights) + weights[:2]             # weights also feed a second op
    tape.backward(y)
    assert weights.grad_rows is None
    np.testing.assert_array_equal(am.to_numpy(weights.grad)[:, 0], [1, 1, 1, 1, 0, 0])
    weights.grad = None                                             # as training does before each batch
    with Tape() as tape:
        y = embedding_lookup(ids, weights)
    tape.backward(y)
    assert weights.grad_rows is not None
    weights.grad = am.xp().ones((6, 2), dtype='float32')              # set by hand: rows unknown
    assert weights.grad_rows is None


def embedding_model(optimizer):
    from teachnet import set_seed
    set_seed(5)
    model = Sequential([Embedding(40, 3, input_length=6), Flatten(), Dense(1, activation='sigmoid')])
    model.compile(optimizer=optimizer, loss='binary_crossentropy')
    return model


@pytest.mark.parametrize('name', ['rmsprop', 'adagrad'])
def test_training_an_embedding_gives_the_same_weights_either_way(name, monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 40, size=(64, 6))
    y = (x[:, 0] < 20).astype('float32').reshape(-1, 1)
    fast = embedding_model(OPTIMIZERS[name]())
    fast.fit(x, y, batch_size=16, nb_epoch=2, verbose=0, shuffle=False)
    original = EmbeddingLookup.backward

    def without_rows(self, g):                                      # the full array, rows unknown
        no_grad, row_gradient = original(self, g)
        return no_grad, row_gradient.dense()
    monkeypatch.setattr(EmbeddingLookup, 'backward', without_rows)
    full = embedding_model(OPTIMIZERS[name]())
    full.fit(x, y, batch_size=16, nb_epoch=2, verbose=0, shuffle=False)
    for row_weights, full_weights in zip(fast.get_weights(), full.get_weights()):
        np.testing.assert_array_equal(row_weights, full_weights)


def test_the_lookup_keeps_only_the_rows_and_writes_the_full_gradient_when_read():
    weights = Parameter(am.to_device(np.arange(12, dtype='float32').reshape(6, 2)))
    ids = am.to_device(np.array([[4, 1, 4], [0, 1, 1]]))
    with Tape() as tape:
        y = embedding_lookup(ids, weights)
    tape.backward(y)
    np.testing.assert_array_equal(am.to_numpy(weights.grad_rows), [0, 1, 4])   # the tape tells the rows
    kept = weights.row_gradient
    assert isinstance(kept, RowGradient) and kept is weights._grad           # no full array yet
    np.testing.assert_array_equal(am.to_numpy(kept.rows), [0, 1, 4])
    np.testing.assert_array_equal(am.to_numpy(kept.values), [[1, 1], [3, 3], [2, 2]])
    full = am.to_numpy(weights.grad)                                          # written out when read
    np.testing.assert_array_equal(full, [[1, 1], [3, 3], [0, 0], [0, 0], [2, 2], [0, 0]])
    assert weights._grad is weights.grad                                      # once
    np.testing.assert_array_equal(am.to_numpy(weights.row_gradient.values), am.to_numpy(kept.values))


def test_training_never_writes_the_full_gradient_of_an_embedding(monkeypatch):
    written = []
    original = RowGradient.dense

    def counted(self):
        written.append(self.shape)
        return original(self)
    monkeypatch.setattr(RowGradient, 'dense', counted)
    model = embedding_model(RMSprop(lr=0.01))
    x = np.random.default_rng(0).integers(0, 40, size=(32, 6))
    model.fit(x, (x[:, :1] < 20).astype('float32'), batch_size=8, nb_epoch=1, verbose=0)
    assert written == []
    assert isinstance(model.layers[0].W._grad, RowGradient)
    model.layers[0].W.grad                                                    # a reader asks for it
    assert written == [(40, 3)]


def test_a_row_gradient_reaching_an_op_is_written_out_first():
    """The lookup's table may itself come out of an op (here W·2): that op's backward gets
    the full array, and the trace keeps full arrays."""
    weights = Parameter(am.to_device(np.ones((5, 2), dtype='float32')))
    ids = am.to_device(np.array([[3, 3, 0]]))
    with Tape(keep_gradients=True) as tape:
        y = embedding_lookup(ids, weights * 2.0)
    tape.backward(y)
    np.testing.assert_array_equal(am.to_numpy(weights.grad)[:, 0], [2, 0, 0, 4, 0])
    assert weights.grad_rows is None
    lookup = tape.records[-1]
    assert not any(isinstance(g, RowGradient) for g in lookup.grad_inputs)
    np.testing.assert_array_equal(am.to_numpy(lookup.grad_inputs[1])[:, 0], [1, 0, 0, 2, 0])


@pytest.mark.parametrize('first, last, expected', [(0, 10, [1, 4, 7]), (2, 7, [4]), (5, 8, [7]), (8, 10, [])])
def test_the_rows_of_a_row_gradient_in_a_range(first, last, expected):
    gradient = RowGradient(am.to_device(np.array([1, 4, 7])), am.to_device(np.array([[1.], [4.], [7.]])), (10, 1))
    rows, values = gradient.between(first, last)
    np.testing.assert_array_equal(am.to_numpy(rows), expected)
    np.testing.assert_array_equal(am.to_numpy(values)[:, 0], expected)


def test_a_tensor_starts_without_rows():
    assert Tensor(am.to_device(np.zeros(3))).grad_rows is None
