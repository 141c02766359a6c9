"""How fast does teachnet train recurrent networks, next to PyTorch on the CPU?

Two models, each trained for real on learnable synthetic data:

(a) imdb      Embedding(20000, 128) -> LSTM(128) -> Dense(1, sigmoid), sequences of 80 word
              ids, batch 32, RMSprop (the IMDB LSTM example's shape): samples per second of
              ``model.fit(..., nb_epoch=1, verbose=0)``.
(b) stacked   the guide's stacked LSTMs: 3 x LSTM(32) over 8 timesteps of 16 features,
              Dense(10, softmax), batch 64, RMSprop.

PyTorch (optional: skipped when ``import torch`` fails) runs the same architecture with its
fused ``nn.LSTM``: sigmoid gates (teachnet: Keras 1's hard_sigmoid, no cheaper for NumPy),
the same optimizer settings (``RMSprop(lr=0.001, alpha=0.9, eps=1e-8)``), ``zero_grad``,
``backward``, ``step`` and ``loss.item()`` per batch. Both are given the same number of
threads. The contenders take turns, several times, so that a busy neighbour slows them
alike; the table gives the median and the best of the repeats.

    python benchmarks/bench_recurrent.py              # about a minute
    python benchmarks/bench_recurrent.py --quick      # a smoke run
    python benchmarks/bench_recurrent.py --threads 1  # both on one thread

Besides samples per wall-clock second, the table gives samples per CPU-second of the
whole process (all threads): on a machine that other programs keep busy, wall-clock
rates swing with their load, while CPU time counts only the work done (with one thread
each, a fair comparison even on a busy machine).
"""
import argparse
import os
import statistics
import time

import numpy as np

import teachnet
from bench_mlp import SETTLE_SECONDS, blas_threads, paired_ratios     # the benchmarks folder is the script's own
from teachnet.layers import Dense
from teachnet.layers.embeddings import Embedding
from teachnet.layers.lstm import LSTM
from teachnet.models import Sequential
from teachnet.optimizers import RMSprop

try:
    import torch
except ImportError:                 # PyTorch is optional: teachnet alone then
    torch = None

TARGETS = {'imdb': 1300, 'stacked': 25000}      # samples/s this machine should reach
RATIO_TARGETS = {'imdb': 0.8, 'stacked': 1.5}    # issue 13: teachnet / PyTorch samples/s


# ----------------------------------------------------------------------------- data

def imdb_data(samples, rng):
    """Word ids 1..19999, length 80; the label says whether 'good' words (ids < 100)
    outnumber 'bad' ones (ids 100..199) in the review."""
    x = rng.integers(1, 20000, size=(samples, 80))
    sentiment = rng.integers(0, 2, size=samples)
    marked = rng.random((samples, 80)) < 0.1
    x[marked] = np.where(sentiment[:, None] == 1, rng.integers(1, 100, size=(samples, 80)),
                         rng.integers(100, 200, size=(samples, 80)))[marked]
    return x.astype('int32'), sentiment.reshape(-1, 1).astype('float32')


def stacked_data(samples, rng):
    x = rng.random((samples, 8, 16)).astype('float32')
    labels = np.argmax(x.mean(axis=1)[:, :10], axis=1)
    return x, np.eye(10, dtype='float32')[labels]


# ----------------------------------------------------------------------------- the models

def teachnet_imdb():
    model = Sequential([Embedding(20000, 128, input_length=80), LSTM(128), Dense(1, activation='sigmoid')])
    model.compile(optimizer=RMSprop(lr=0.001), loss='binary_crossentropy')
    return model


def teachnet_stacked():
    model = Sequential([LSTM(32, return_sequences=True, input_shape=(8, 16)), LSTM(32, return_sequences=True),
                        LSTM(32), Dense(10, activation='softmax')])
    model.compile(optimizer=RMSprop(lr=0.001), loss='categorical_crossentropy')
    return model


if torch is not None:
    class TorchIMDB(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(20000, 128)
            self.lstm = torch.nn.LSTM(128, 128, batch_first=True)
            self.dense = torch.nn.Linear(128, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.embedding(x))
            return self.dense(h[-1])

    class TorchStacked(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(16, 32, num_layers=3, batch_first=True)
            self.dense = torch.nn.Linear(32, 10)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.dense(h[-1])


def torch_epoch(model, optimizer, loss_function, x, y, batch_size):
    for start in range(0, len(x), batch_size):
        optimizer.zero_grad()
        loss = loss_function(model(x[start:start + batch_size]), y[start:start + batch_size])
        loss.backward()
        optimizer.step()
        loss.item()


# ----------------------------------------------------------------------------- timing

def time_once(run):
    """(wall seconds, CPU seconds of the whole process) for one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def compare(name, samples, batch_size, repeats, make_teachnet, make_torch, data):
    rng = np.random.default_rng(0)
    x, y = data(samples, rng)
    teachnet.set_seed(0)
    model = make_teachnet()
    model.fit(x[:2 * batch_size], y[:2 * batch_size], batch_size=batch_size, nb_epoch=1, verbose=0)    # warm-up
    contenders = {'teachnet': lambda: model.fit(x, y, batch_size=batch_size, nb_epoch=1, verbose=0, shuffle=False)}
    if torch is not None:
        torch.manual_seed(0)
        net, is_imdb = make_torch(), name == 'imdb'
        tx = torch.from_numpy(x.astype('int64') if is_imdb else x)
        ty = torch.from_numpy(y if is_imdb else y.argmax(axis=1))
        loss_function = (torch.nn.functional.binary_cross_entropy_with_logits if is_imdb
                         else torch.nn.functional.cross_entropy)
        optimizer = torch.optim.RMSprop(net.parameters(), lr=0.001, alpha=0.9, eps=1e-8)
        torch_epoch(net, optimizer, loss_function, tx[:2 * batch_size], ty[:2 * batch_size], batch_size)
        contenders['torch'] = lambda: torch_epoch(net, optimizer, loss_function, tx, ty, batch_size)
    times = {label: [] for label in contenders}
    for _ in range(repeats):
        for label, run in contenders.items():
            time.sleep(SETTLE_SECONDS)          # the other's BLAS threads gone idle (bench_mlp)
            times[label].append(time_once(run))
    rates = {}
    for label, measured in times.items():
        walls, cpus = [w for w, _ in measured], [c for _, c in measured]
        rates[label] = (samples / statistics.median(walls), samples / min(walls), samples / statistics.median(cpus))
    print(f"\n({name}) {samples} samples, batch {batch_size}, {repeats} repeats; target {TARGETS[name]:,} samples/s")
    print(f"{'':10s} {'samples/s (median)':>20s} {'(best)':>10s} {'vs torch':>10s} "
          f"{'per CPU-second':>16s} {'vs torch':>10s}")
    for label, (median, best, per_cpu) in rates.items():
        ratio = f"{median / rates['torch'][0]:.2f}x" if 'torch' in rates else '-'
        cpu_ratio = f"{per_cpu / rates['torch'][2]:.2f}x" if 'torch' in rates else '-'
        print(f"{label:10s} {median:20,.0f} {best:10,.0f} {ratio:>10s} {per_cpu:16,.0f} {cpu_ratio:>10s}")
    if 'torch' in rates:
        ratio = rates['teachnet'][0] / rates['torch'][0]
        print(f"target teachnet >= {RATIO_TARGETS[name]}x torch's samples/s: "
              f"{'met' if ratio >= RATIO_TARGETS[name] else 'NOT met'} ({ratio:.2f}x)")
        rounds = paired_ratios(*([wall for wall, _ in times[label]] for label in ('torch', 'teachnet')))
        print(f"teachnet / torch samples/s, round by round: {', '.join(f'{r:.2f}' for r in rounds)}")
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='fewer samples and repeats')
    parser.add_argument('--only', choices=['imdb', 'stacked'])
    parser.add_argument('--repeats', type=int, default=None)
    parser.add_argument('--threads', type=int, default=None,
                        help='threads for NumPy\'s BLAS and for PyTorch (default: as BLAS has them)')
    args = parser.parse_args()
    repeats = args.repeats or (2 if args.quick else 5)
    if args.threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
    threads = args.threads or blas_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    print(f"numpy {np.__version__}, teachnet {teachnet.__version__}, blas threads {threads}, "
          f"torch {torch.__version__ if torch is not None else '(not installed)'}, "
          f"load average {os.getloadavg()[0]:.2f}")
    if args.only in (None, 'imdb'):
        compare('imdb', 32 * (8 if args.quick else 40), 32, repeats, teachnet_imdb,
                TorchIMDB if torch is not None else None, imdb_data)
    if args.only in (None, 'stacked'):
        compare('stacked', 64 * (20 if args.quick else 200), 64, repeats, teachnet_stacked,
                TorchStacked if torch is not None else None, stacked_data)


if __name__ == '__main__':
    main()
