"""Check the CuPy backend on a machine with a GPU: does it compute what NumPy computes, and how fast?

    python benchmarks/gpu_check.py                 # both parts, about a minute on a GPU
    python benchmarks/gpu_check.py --only agreement
    python benchmarks/gpu_check.py --only speed
    python benchmarks/gpu_check.py --backend strict --only agreement   # a dry run without a GPU

(agreement) Four small models without dropout (an MLP, a convnet, Embedding + LSTM, and
Embedding + GRU + TimeDistributed(Dense)) start from the same weights on NumPy and on CuPy
and train on the same batches, in float64 and in float32. The table gives the largest
relative difference of the weights afterwards, max|θ_cupy − θ_numpy| / max|θ_numpy|, and of
the loss history. Both backends do the same arithmetic in a different order, so the
differences should be rounding: about 1e-12 in float64 and 1e-5 in float32.

(reproducibility) Two models with dropout, each trained twice from the same seed on CuPy:
the weights should be identical to the last bit (CuPy's generator is seeded like NumPy's,
and the embedding's gradient sums repeated ids in a fixed order).

(speed) The benchmark models (benchmarks/bench_*.py) trained for one epoch with ``fit`` on
CuPy: samples per second, next to PyTorch on the same GPU when it is installed with CUDA.
The GPU is synchronised before the clock stops. The LSTM models are timed a second time
with each step's arithmetic as array calls instead of one kernel
(``teachnet.backend.lstm_step_kernels``), to show what the kernels gain.

The full test suite runs on CuPy too: ``python -m pytest tests --backends=cupy``.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import teachnet  # noqa: E402
from teachnet.backend import array_module as am  # noqa: E402
from teachnet.backend import lstm_step_kernels  # noqa: E402
from teachnet.layers import Activation, Dense, Flatten  # noqa: E402
from teachnet.layers.convolutional import Convolution2D  # noqa: E402
from teachnet.layers.embeddings import Embedding  # noqa: E402
from teachnet.layers.gru import GRU  # noqa: E402
from teachnet.layers.lstm import LSTM  # noqa: E402
from teachnet.layers.pooling import MaxPooling2D  # noqa: E402
from teachnet.layers.wrappers import TimeDistributed  # noqa: E402
from teachnet.models import Sequential  # noqa: E402
from teachnet.optimizers import SGD, RMSprop  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


# ----------------------------------------------------------------------------- agreement

def mlp():
    model = Sequential([Dense(64, input_dim=20, activation='relu'), Dense(64, activation='tanh'),
                        Dense(10, activation='softmax')])
    model.compile(optimizer=SGD(lr=0.1, momentum=0.9, nesterov=True), loss='categorical_crossentropy')
    return model


def convnet():
    model = Sequential([Convolution2D(8, 3, 3, border_mode='same', input_shape=(1, 8, 8)), Activation('relu'),
                        Convolution2D(8, 3, 3), Activation('relu'), MaxPooling2D((2, 2)), Flatten(),
                        Dense(10, activation='softmax')])
    model.compile(optimizer=SGD(lr=0.05, momentum=0.9), loss='categorical_crossentropy')
    return model


def embedding_lstm():
    model = Sequential([Embedding(50, 8, input_length=12, mask_zero=True), LSTM(16), Dense(1, activation='sigmoid')])
    model.compile(optimizer=RMSprop(lr=0.01), loss='binary_crossentropy')
    return model


def embedding_gru():
    model = Sequential([Embedding(50, 8, input_length=12), GRU(16, return_sequences=True),
                        TimeDistributed(Dense(5, activation='softmax'))])
    model.compile(optimizer=RMSprop(lr=0.01), loss='categorical_crossentropy')
    return model


def agreement_data(name, rng, count=128):
    if name == 'mlp':
        x = rng.random((count, 20))
        return x, np.eye(10)[(x[:, :10] - x[:, 10:]).argmax(axis=1)]
    if name == 'convnet':
        x = rng.random((count, 1, 8, 8))
        return x, np.eye(10)[(x.reshape(count, -1)[:, :10]).argmax(axis=1)]
    ids = rng.integers(0, 50, size=(count, 12))
    if name == 'embedding_lstm':
        return ids, (ids[:, -4:].sum(axis=1) > 100).reshape(-1, 1).astype(float)
    return ids, np.eye(5)[ids % 5]


def train(build, x, y, backend, floatx, batch_size=16):
    am.set_backend(backend)
    am.set_floatx(floatx)
    teachnet.set_seed(3)
    model = build()
    history = model.fit(x.astype(floatx) if x.dtype.kind == 'f' else x, y.astype(floatx),
                        batch_size=batch_size, nb_epoch=2, verbose=0, shuffle=False)
    weights = [np.asarray(w, dtype='float64') for w in model.get_weights()]
    return weights, np.array(history.history['loss'])


def relative(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def check_agreement(backend):
    print(f"(agreement) {backend} against numpy, same weights and batches, 2 epochs of 8 batches")
    print(f"  {'model':<16}{'floatx':<9}{'weights rel. diff':>18}{'loss rel. diff':>16}   verdict")
    failures = 0
    builders = {'mlp': mlp, 'convnet': convnet, 'embedding_lstm': embedding_lstm, 'embedding_gru': embedding_gru}
    for name, build in builders.items():
        x, y = agreement_data(name, np.random.default_rng(0))
        for floatx, bound in (('float64', 1e-9), ('float32', 1e-3)):
            reference, reference_loss = train(build, x, y, 'numpy', floatx)
            on_gpu, gpu_loss = train(build, x, y, backend, floatx)
            weight_diff = max(relative(a, b) for a, b in zip(on_gpu, reference))
            loss_diff = relative(gpu_loss, reference_loss)
            ok = weight_diff < bound and loss_diff < bound
            failures += not ok
            print(f"  {name:<16}{floatx:<9}{weight_diff:18.2e}{loss_diff:16.2e}   "
                  f"{'ok' if ok else 'DIFFERS'} (bound {bound:.0e})")
    am.set_backend('numpy')
    am.set_floatx('float32')
    return failures


# ----------------------------------------------------------------------------- reproducibility

def check_reproducible(backend):
    """The same seed twice on the checked backend: the same weights, to the last bit?"""
    print(f"\n(reproducibility) each model trained twice on {backend} from the same seed, with dropout")
    x, y = agreement_data('embedding_lstm', np.random.default_rng(1))
    builds = {'embedding_lstm + dropout': lambda: with_dropout(embedding_lstm()),
              'convnet + dropout': lambda: with_dropout(convnet())}
    data = {'embedding_lstm + dropout': (x, y), 'convnet + dropout': agreement_data('convnet', np.random.default_rng(1))}
    failures = 0
    for name, build in builds.items():
        first, second = (train(build, *data[name], backend, 'float32')[0] for _ in range(2))
        same = all(np.array_equal(a, b) for a, b in zip(first, second))
        failures += not same
        print(f"  {name:<26}{'identical' if same else 'DIFFERENT'}")
    am.set_backend('numpy')
    return failures


def with_dropout(model):
    """The model with Dropout(0.3) before its last layer, compiled as it was."""
    from teachnet.layers import Dropout
    layers = model.layers[:-1] + [Dropout(0.3), model.layers[-1]]
    rebuilt = Sequential(layers)
    rebuilt.compile(optimizer=type(model.optimizer)(), loss=model.loss)
    return rebuilt


# ----------------------------------------------------------------------------- speed

def synchronize():
    if am.get_backend() == 'cupy':
        am.xp().cuda.Device().synchronize()


def timed_epochs(run, repeats):
    run()                                    # warm-up: kernels compile, memory pools fill
    synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        synchronize()
        if torch is not None and torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed_cases():
    import bench_convnet
    import bench_mlp
    import bench_recurrent
    rng = np.random.default_rng(0)
    x_conv, y_conv = bench_mlp.synthetic_data(1536, 3 * 32 * 32, 10, seed=5)
    x_imdb, y_imdb = bench_recurrent.imdb_data(32 * 40, rng)
    x_stack, y_stack = bench_recurrent.stacked_data(64 * 100, rng)
    x_mlp, y_mlp = bench_mlp.synthetic_data(128 * 100, 784, 10, seed=1)
    return [
        ('VGG-like convnet 3x32x32', 32, x_conv.reshape(-1, 3, 32, 32), y_conv, bench_convnet.teachnet_convnet),
        ('Embedding+LSTM(128)', 32, x_imdb, y_imdb, bench_recurrent.teachnet_imdb),
        ('3 x LSTM(32)', 64, x_stack, y_stack, bench_recurrent.teachnet_stacked),
        ('MLP 784-512-512-10', 128, x_mlp, y_mlp,
         lambda: bench_mlp.teachnet_mlp((784, 512, 512, 10), 'relu', 0.2, RMSprop(lr=0.001))),
    ]


def torch_runner(name, batch_size, x, y, model):
    """The same network in PyTorch on the GPU, one epoch per call (None without CUDA)."""
    if torch is None or not torch.cuda.is_available():
        return None
    import bench_convnet
    import bench_recurrent
    device = torch.device('cuda')
    if name.startswith('VGG'):
        net = bench_convnet.torch_convnet(model)
    elif name.startswith('Embedding'):
        net = bench_recurrent.TorchIMDB()
    elif name.startswith('3 x'):
        net = bench_recurrent.TorchStacked()
    else:
        layers = [torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(512, 512),
                  torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(512, 10)]
        net = torch.nn.Sequential(*layers)
    net = net.to(device)
    binary = name.startswith('Embedding')
    tx = torch.from_numpy(x.astype('int64') if binary else x).to(device)
    ty = torch.from_numpy(y if binary else y.argmax(axis=1)).to(device)
    loss_function = (torch.nn.functional.binary_cross_entropy_with_logits if binary
                     else torch.nn.functional.cross_entropy)
    optimizer = (torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True) if name.startswith('VGG')
                 else torch.optim.RMSprop(net.parameters(), lr=0.001, alpha=0.9, eps=1e-8))

    def epoch():
        net.train()
        for start in range(0, len(tx), batch_size):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(net(tx[start:start + batch_size]), ty[start:start + batch_size])
            loss.backward()
            optimizer.step()
            loss.item()
    return epoch


def check_speed(backend, repeats=3):
    print("\n(speed) one epoch of fit, samples/s (median of %d epochs after a warm-up)" % repeats)
    print(f"  {'model':<26}{'batch':>6}{'teachnet ' + backend:>17}{'torch cuda':>12}{'torch/teachnet':>16}")
    for name, batch_size, x, y, build in speed_cases():
        am.set_backend(backend)
        teachnet.set_seed(0)
        model = build()
        seconds = timed_epochs(lambda: model.fit(x, y, batch_size=batch_size, nb_epoch=1, verbose=0), repeats)
        rate = len(x) / seconds
        plain_rate = None
        if 'LSTM' in name:                 # the same without the one-kernel LSTM steps
            lstm_step_kernels.ENABLED = False
            try:
                teachnet.set_seed(0)
                plain = build()
                plain_rate = len(x) / timed_epochs(lambda: plain.fit(x, y, batch_size=batch_size, nb_epoch=1,
                                                                      verbose=0), repeats)
            finally:
                lstm_step_kernels.ENABLED = True
        am.set_backend('numpy')
        epoch = torch_runner(name, batch_size, x, y, model)
        if epoch is None:
            print(f"  {name:<26}{batch_size:>6}{rate:17,.0f}{'-':>12}{'-':>16}")
        else:
            torch_rate = len(x) / timed_epochs(epoch, repeats)
            print(f"  {name:<26}{batch_size:>6}{rate:17,.0f}{torch_rate:12,.0f}{torch_rate / rate:15.2f}x")
        if plain_rate is not None:
            print(f"  {'  steps as array calls':<26}{batch_size:>6}{plain_rate:17,.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--only', choices=['agreement', 'speed'])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--backend', default='cupy', choices=['cupy', 'strict'],
                        help='the backend to check against NumPy (strict: a dry run on the CPU)')
    args = parser.parse_args()
    am.set_backend(args.backend)          # fails clearly when CuPy or the GPU is missing
    if args.backend == 'cupy':
        cupy = am.xp()
        print(f"cupy {cupy.__version__}, device {cupy.cuda.runtime.getDeviceProperties(0)['name'].decode()}, "
              f"numpy {np.__version__}, torch {getattr(torch, '__version__', '(not installed)')}")
    am.set_backend('numpy')
    failures = 0
    if args.only in (None, 'agreement'):
        failures = check_agreement(args.backend)
        failures += check_reproducible(args.backend)
    if args.only in (None, 'speed'):
        check_speed(args.backend, args.repeats)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
