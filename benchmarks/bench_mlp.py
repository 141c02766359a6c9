"""How fast does teachnet train an MLP, next to hand-written NumPy and PyTorch on the CPU?

Three measurements, each printed as a small table (``python benchmarks/run.py`` runs them):

(a) large   784-512-512-10, relu, Dropout(0.2) after each hidden layer, softmax, RMSprop,
            batch 128, one epoch of 60,000 learnable synthetic samples: samples per second
            for ``model.fit(..., nb_epoch=1, verbose=0, shuffle=True)``, for the NumPy
            reference (``reference_mlp.py``) and for PyTorch.
(b) tiny    the guide's 20-64-64-10 MLP, tanh, Dropout(0.5), softmax,
            SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True), batch 16: milliseconds per
            batch for the same three.
(c) tape    one batch of each model: a forward pass as ``predict`` runs it, against a forward
            pass recorded on a tape plus the backward pass over it (what ``fit`` does per
            batch, minus the update): what the tape costs when nobody inspects.

Every timing is repeated, the three contenders taking turns so that a busy neighbour on the
machine slows them alike; the tables give the median and the range. All three start from the
same initial weights (teachnet's), see the same data and train for real: each table ends with
the accuracy each one reached on held-out data.
"""
import os
import time

import numpy as np

import teachnet
import teachnet.backend as K
from teachnet.layers import Activation, Dense, Dropout
from teachnet.losses import categorical_crossentropy
from teachnet.models import Sequential
from teachnet.ops.tape import Tape, no_tape
from teachnet.ops.tensor import Tensor
from teachnet.optimizers import SGD, RMSprop

from reference_mlp import ReferenceMLP

try:
    import torch
except ImportError:             # PyTorch is optional: teachnet against the reference only
    torch = None


# ----------------------------------------------------------------------------- set-up

def blas_threads():
    """The number of threads NumPy's BLAS uses (threadpoolctl), else the CPU count."""
    try:
        from threadpoolctl import threadpool_info
        counts = [pool['num_threads'] for pool in threadpool_info() if pool['user_api'] == 'blas']
        if counts:
            return counts[0]
    except ImportError:
        pass
    return os.cpu_count() or 1


def environment():
    """The facts a reader needs to compare numbers: versions, BLAS, threads."""
    facts = {'numpy': np.__version__, 'teachnet': teachnet.__version__,
             'cpus': os.cpu_count(), 'blas threads': blas_threads(),
             'OPENBLAS_CORETYPE': os.environ.get('OPENBLAS_CORETYPE', '(unset)')}
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool['user_api'] == 'blas':
                facts['blas'] = (f"{pool['internal_api']} {pool.get('version')} "
                                 f"({pool.get('architecture')}, {pool['num_threads']} threads)")
    except ImportError:
        facts['blas'] = '(threadpoolctl not installed)'
    if torch is not None:
        torch.set_num_threads(facts['blas threads'])
        facts['torch'] = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    else:
        facts['torch'] = '(not installed)'
    facts['load average'] = load_average()
    return facts


def load_average():
    """The 1-minute load average (other people's work slows every contender), or '?'."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return '?'


def synthetic_data(count, features, classes, seed=0):
    """x ~ U(0, 1) and y = onehot(argmax((x - ½)·M)) for a fixed random M: learnable, float32."""
    rng = np.random.default_rng(seed)
    mixing = rng.standard_normal((features, classes)).astype(np.float32)
    x = rng.random((count, features), dtype=np.float32)
    labels = ((x - 0.5) @ mixing).argmax(axis=1)
    return x, np.eye(classes, dtype=np.float32)[labels]


def accuracy(probabilities, y):
    return float((np.asarray(probabilities).argmax(axis=1) == y.argmax(axis=1)).mean())


def spread(times):
    """(median, min, max) of a list of timings."""
    return float(np.median(times)), float(np.min(times)), float(np.max(times))


# ----------------------------------------------------------------------------- the models

def teachnet_mlp(sizes, activation, rate, optimizer, init='glorot_uniform', metrics=None, seed=0):
    teachnet.set_seed(seed)
    model = Sequential()
    for index, units in enumerate(sizes[1:-1]):
        extra = {'input_dim': sizes[0]} if index == 0 else {}
        model.add(Dense(units, init=init, **extra))
        model.add(Activation(activation))
        model.add(Dropout(rate))
    model.add(Dense(sizes[-1], init=init))
    model.add(Activation('softmax'))
    model.compile(optimizer=optimizer, loss='categorical_crossentropy', metrics=metrics)
    return model


def reference_like(model, sizes, activation, rate, seed=0, **optimizer):
    reference = ReferenceMLP(sizes, activation, rate, seed=seed, **optimizer)
    reference.set_params(model.get_weights())
    return reference


def torch_like(model, sizes, activation, rate):
    """The same network in PyTorch, with teachnet's initial weights (W transposed).
    The softmax lives in the loss (``cross_entropy`` on logits), as PyTorch users write it."""
    layers = []
    for index, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(m, n))
        if index < len(sizes) - 2:
            layers += [torch.nn.ReLU() if activation == 'relu' else torch.nn.Tanh(), torch.nn.Dropout(rate)]
    net = torch.nn.Sequential(*layers)
    weights = model.get_weights()
    linears = [layer for layer in net if isinstance(layer, torch.nn.Linear)]
    with torch.no_grad():
        for layer, W, b in zip(linears, weights[0::2], weights[1::2]):
            layer.weight.copy_(torch.from_numpy(W.T.copy()))
            layer.bias.copy_(torch.from_numpy(b))
    return net


def torch_epoch(net, optimizer, x, labels, batch_size, before_step=None):
    """One shuffled epoch: forward, cross_entropy, backward, step, loss.item() per batch."""
    net.train()
    order = torch.randperm(len(x))
    for start in range(0, len(x), batch_size):
        ids = order[start:start + batch_size]
        if before_step is not None:
            before_step(optimizer)
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(net(x[ids]), labels[ids])
        loss.backward()
        optimizer.step()
        loss.item()


def torch_accuracy(net, x, y):
    net.eval()
    with torch.no_grad():
        return accuracy(net(torch.from_numpy(x)).numpy(), y)


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


#: seconds to wait before each timed run. After a product on several threads, OpenBLAS's
#: idle threads keep spinning for about 0.1 s (2^28 cycles): a contender timed right after
#: another that used them would share a core with them (PyTorch ran 5-15% slower right
#: after teachnet's IMDB LSTM when its products were threaded).
SETTLE_SECONDS = 0.3


def race(contenders, repeats):
    """Time each contender ``repeats`` times, taking turns; {name: [seconds, ...]}."""
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            time.sleep(SETTLE_SECONDS)
            times[name].append(timed(run))
    return times


def paired_ratios(first, second):
    """first[i] / second[i] for each round of ``race`` (the two timed in the same minute),
    sorted: a machine that slows down between rounds moves these less than it moves the
    ratio of the medians."""
    return sorted(a / b for a, b in zip(first, second))


# ----------------------------------------------------------------------------- (a) large

def bench_large(repeats=5, count=60000, batch_size=128):
    """(a): seconds per epoch and samples/s of teachnet, the reference and PyTorch."""
    sizes = (784, 512, 512, 10)
    x, y = synthetic_data(count + 10000, sizes[0], sizes[-1], seed=1)
    x, y, x_test, y_test = x[:count], y[:count], x[count:], y[count:]
    model = teachnet_mlp(sizes, 'relu', 0.2, RMSprop(lr=0.001, rho=0.9, epsilon=1e-8))
    reference = reference_like(model, sizes, 'relu', 0.2, optimizer='rmsprop', lr=0.001, rho=0.9)
    shuffle_rng = np.random.default_rng(7)
    contenders = {
        'teachnet': lambda: model.fit(x, y, batch_size=batch_size, nb_epoch=1, verbose=0, shuffle=True),
        'reference': lambda: reference.fit_epoch(x, y, batch_size, shuffle_rng),
    }
    if torch is not None:
        net = torch_like(model, sizes, 'relu', 0.2)
        optimizer = torch.optim.RMSprop(net.parameters(), lr=0.001, alpha=0.9, eps=1e-8)
        tx, tlabels = torch.from_numpy(x), torch.from_numpy(y.argmax(axis=1))
        contenders['torch'] = lambda: torch_epoch(net, optimizer, tx, tlabels, batch_size)
    warm = min(count, 40 * batch_size)          # warm up: a few dozen batches each
    model.fit(x[:warm], y[:warm], batch_size=batch_size, nb_epoch=1, verbose=0)
    reference.fit_epoch(x[:warm], y[:warm], batch_size, shuffle_rng)
    if torch is not None:
        torch_epoch(net, optimizer, tx[:warm], tlabels[:warm], batch_size)
    times = race(contenders, repeats)
    accuracies = {'teachnet': accuracy(model.predict(x_test, batch_size=1024), y_test),
                  'reference': accuracy(reference.predict(x_test), y_test)}
    if torch is not None:
        accuracies['torch'] = torch_accuracy(net, x_test, y_test)
    return {'count': count, 'batch_size': batch_size, 'times': times, 'accuracy': accuracies}


# ----------------------------------------------------------------------------- (b) tiny

def bench_tiny(repeats=7, count=1024, epochs=10, batch_size=16):
    """(b): milliseconds per batch of teachnet (with and without the guide's accuracy
    metric), the reference and PyTorch."""
    sizes = (20, 64, 64, 10)
    x, y = synthetic_data(count + 2000, sizes[0], sizes[-1], seed=2)
    x, y, x_test, y_test = x[:count], y[:count], x[count:], y[count:]
    sgd = dict(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
    model = teachnet_mlp(sizes, 'tanh', 0.5, SGD(**sgd), init='uniform')
    guide = teachnet_mlp(sizes, 'tanh', 0.5, SGD(**sgd), init='uniform', metrics=['accuracy'])
    reference = reference_like(model, sizes, 'tanh', 0.5, optimizer='sgd', **sgd)
    shuffle_rng = np.random.default_rng(7)

    def reference_epochs():
        for _ in range(epochs):
            reference.fit_epoch(x, y, batch_size, shuffle_rng)

    contenders = {
        'teachnet': lambda: model.fit(x, y, batch_size=batch_size, nb_epoch=epochs, verbose=0, shuffle=True),
        'teachnet+acc': lambda: guide.fit(x, y, batch_size=batch_size, nb_epoch=epochs, verbose=0, shuffle=True),
        'reference': reference_epochs,
    }
    if torch is not None:
        net = torch_like(model, sizes, 'tanh', 0.5)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)
        tx, tlabels = torch.from_numpy(x), torch.from_numpy(y.argmax(axis=1))
        updates = [0]

        def decay_lr(optimizer):                # Keras 1's lr / (1 + decay · iterations)
            for group in optimizer.param_groups:
                group['lr'] = sgd['lr'] / (1.0 + sgd['decay'] * updates[0])
            updates[0] += 1

        def torch_epochs():
            for _ in range(epochs):
                torch_epoch(net, optimizer, tx, tlabels, batch_size, decay_lr)
        contenders['torch'] = torch_epochs
    for run in contenders.values():             # warm up: one full round
        run()
    times = race(contenders, repeats)
    batches = epochs * -(-count // batch_size)
    accuracies = {'teachnet': accuracy(model.predict(x_test), y_test),
                  'teachnet+acc': accuracy(guide.predict(x_test), y_test),
                  'reference': accuracy(reference.predict(x_test), y_test)}
    if torch is not None:
        accuracies['torch'] = torch_accuracy(net, x_test, y_test)
    return {'batches': batches, 'batch_size': batch_size, 'times': times, 'accuracy': accuracies}


# ----------------------------------------------------------------------------- (c) tape

def bench_tape(repeats=7, loops=None):
    """(c): seconds per batch for predict's forward, the training forward without and with
    a tape recording it, forward + backward, and the same keeping every gradient."""
    results = {}
    setups = {'large (784-512-512-10, batch 128)': ((784, 512, 512, 10), 'relu', 0.2, 128, 20),
              'tiny (20-64-64-10, batch 16)': ((20, 64, 64, 10), 'tanh', 0.5, 16, 1000)}
    for label, (sizes, activation, rate, batch_size, default_loops) in setups.items():
        model = teachnet_mlp(sizes, activation, rate, 'sgd')
        x, y = synthetic_data(batch_size, sizes[0], sizes[-1], seed=3)
        xt = Tensor(x)

        def training_loss():
            return K.mean(categorical_crossentropy(y, model.forward(xt, training=True)))

        def predict_forward():
            with no_tape():
                model.forward(xt, training=False)

        def untaped_forward():
            with no_tape():
                training_loss()

        def taped_forward():
            with Tape():
                training_loss()

        def forward_backward(keep=False):
            with Tape(keep_gradients=keep) as tape:
                loss = training_loss()
            tape.backward(loss)

        steps = {'forward, no tape, no dropout (predict)': predict_forward,
                 'forward + loss, training, no tape': untaped_forward,
                 'forward + loss, training, recorded on a tape': taped_forward,
                 'forward + loss + backward (fit minus the update)': forward_backward,
                 '... keeping every gradient (what a trace keeps)': lambda: forward_backward(True)}
        count = loops or default_loops
        samples = {name: [] for name in steps}
        for step in steps.values():
            step()
        for _ in range(repeats):                # the steps take turns, as in race()
            for name, step in steps.items():
                start = time.perf_counter()
                for _ in range(count):
                    step()
                samples[name].append((time.perf_counter() - start) / count)
        results[label] = samples
    return results


# ----------------------------------------------------------------------------- agreement

def check_agreement(steps=32):
    """Max |θ_teachnet - θ_reference| after ``steps`` identical updates (same initial
    weights, batches in order, the same dropout masks): the two compute the same thing."""
    out = {}
    for activation, optimizer, settings in (('relu', RMSprop(), dict(optimizer='rmsprop')),
                                            ('tanh', SGD(lr=0.1, decay=1e-3, momentum=0.9, nesterov=True),
                                             dict(optimizer='sgd', lr=0.1, decay=1e-3, momentum=0.9,
                                                  nesterov=True))):
        sizes = (20, 64, 64, 10)
        model = teachnet_mlp(sizes, activation, 0.3, optimizer, seed=5)
        reference = reference_like(model, sizes, activation, 0.3, seed=5, **settings)  # masks: seed + 1
        x, y = synthetic_data(16 * steps, sizes[0], sizes[-1], seed=4)
        model.fit(x, y, batch_size=16, nb_epoch=1, verbose=0, shuffle=False)
        reference.fit_epoch(x, y, 16)
        out[f'{activation} + {settings["optimizer"]}'] = max(
            float(np.abs(a - b).max()) for a, b in zip(model.get_weights(), reference.params()))
    return out
