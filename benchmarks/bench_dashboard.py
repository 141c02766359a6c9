"""What does the live dashboard cost? fit with and without ``Dashboard()``, as ratios.

Three models, each trained on learnable synthetic data (one epoch per run for (a) and (c)):

(a) large   784-512-512-10, relu, Dropout(0.2), softmax, RMSprop, batch 128, 60,000 samples
(b) tiny    the guide's 20-64-64-10, tanh, Dropout(0.5), softmax, SGD with Nesterov, batch 16,
            trained as the guide does: 1,000 samples, ``nb_epoch=20`` per run
(c) lstm    Embedding(20000, 128) -> LSTM(128) -> Dense(1, sigmoid), 80 word ids, batch 32

For each, the runs alternate (without, with, without, with, ...) so that a busy
neighbour slows both alike, and the table gives the median seconds of each and their
ratio, in wall-clock time and in CPU time of the whole process (all threads): on a
machine that other programs keep busy, wall-clock times swing with their load, while
CPU time counts only the work done. The dashboard runs at its defaults with its widgets built, as in a notebook
(``Dashboard(notebook=True)``; no browser is attached, so the messages go nowhere, but
every number, SVG and PNG is still computed). Targets: at most 1.05 for (a) and (c), at
most 1.10 for (b).

    python benchmarks/bench_dashboard.py               # a few minutes
    python benchmarks/bench_dashboard.py --quick       # a smoke run
    python benchmarks/bench_dashboard.py --threads 1   # NumPy's BLAS on one thread

The last column is the dashboard's own account of its CPU time (``Dashboard.own_time``:
building, samples, redraws, the final frame) as a share of the run's CPU time: on a busy
machine, where the ratios of whole runs swing by several percent from run to run, it says
more than they do.
"""
import argparse
import contextlib
import io
import os
import statistics
import time

import numpy as np

import teachnet
from bench_mlp import blas_threads          # the benchmarks folder is the script's own
from teachnet.layers import Activation, Dense, Dropout
from teachnet.layers.embeddings import Embedding
from teachnet.layers.lstm import LSTM
from teachnet.models import Sequential
from teachnet.optimizers import SGD, RMSprop
from teachnet.widgets import Dashboard

TARGETS = {'large': 1.05, 'tiny': 1.10, 'lstm': 1.05}


def classes(x, count, rng):
    """Labels a model can learn: the argmax of (x - mean)·M for a fixed random M."""
    mixing = rng.standard_normal((x.shape[1], count)).astype('float32')
    return np.eye(count, dtype='float32')[np.argmax((x - x.mean()) @ mixing, axis=1)]


def large(samples, rng):
    model = Sequential([Dense(512, input_dim=784, activation='relu'), Dropout(0.2),
                        Dense(512, activation='relu'), Dropout(0.2), Dense(10, activation='softmax')])
    model.compile(optimizer=RMSprop(), loss='categorical_crossentropy', metrics=['accuracy'])
    x = rng.random((samples, 784), dtype='float32')
    return model, x, classes(x, 10, rng), 128


def tiny(samples, rng):
    model = Sequential([Dense(64, input_dim=20, init='uniform', activation='tanh'), Dropout(0.5),
                        Dense(64, init='uniform', activation='tanh'), Dropout(0.5),
                        Dense(10, init='uniform'), Activation('softmax')])
    model.compile(optimizer=SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True),
                  loss='categorical_crossentropy', metrics=['accuracy'])
    x = rng.random((samples, 20), dtype='float32')
    return model, x, classes(x, 10, rng), 16


def lstm(samples, rng):
    model = Sequential([Embedding(20000, 128, input_length=80), LSTM(128), Dense(1, activation='sigmoid')])
    model.compile(optimizer=RMSprop(lr=0.001), loss='binary_crossentropy')
    x = rng.integers(1, 20000, size=(samples, 80)).astype('int32')
    y = (x[:, :40].mean(axis=1) > 10000).astype('float32').reshape(-1, 1)
    return model, x, y, 32


MODELS = {'large': large, 'tiny': tiny, 'lstm': lstm}


def compare(name, samples, epochs, repeats):
    teachnet.set_seed(0)
    model, x, y, batch_size = MODELS[name](samples, np.random.default_rng(0))

    own = []                            # the dashboard's own CPU time, as it measures it

    def run(with_dashboard, count=len(x), nb_epoch=epochs):
        callbacks = [Dashboard(notebook=True)] if with_dashboard else []
        wall, cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):      # display() without a notebook prints a repr
            model.fit(x[:count], y[:count], batch_size=batch_size, nb_epoch=nb_epoch, verbose=0,
                      callbacks=callbacks)
        cpu = time.process_time() - cpu
        if with_dashboard:
            own.append(callbacks[0].own_time / cpu)
        return time.perf_counter() - wall, cpu

    run(True, 2 * batch_size, 1)        # warm-up: imports (matplotlib's first PNG takes about 0.4 s), caches

    times = {False: [], True: []}
    for _ in range(repeats):
        for with_dashboard in (False, True):
            times[with_dashboard].append(run(with_dashboard))
    medians = {key: [statistics.median(run[i] for run in runs) for i in (0, 1)] for key, runs in times.items()}
    (without, without_cpu), (with_, with_cpu) = medians[False], medians[True]
    print(f"({name:5s}) {samples:6d} samples x {epochs:2d} epochs, batch {batch_size:3d}, {repeats} runs each: "
          f"without {without:7.3f} s, with {with_:7.3f} s, ratio {with_ / without:5.3f}; "
          f"CPU seconds {without_cpu:7.3f} and {with_cpu:7.3f}, ratio {with_cpu / without_cpu:5.3f} "
          f"(target <= {TARGETS[name]:.2f}); the dashboard's own share of the CPU time "
          f"{statistics.median(own[1:]):.1%}", flush=True)
    return with_ / without


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='shorter epochs, fewer runs')
    parser.add_argument('--only', choices=sorted(MODELS))
    parser.add_argument('--repeats', type=int, default=None)
    parser.add_argument('--threads', type=int, default=None, help="threads for NumPy's BLAS (default: as it has them)")
    args = parser.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
    repeats = args.repeats or (2 if args.quick else 5)
    sizes = {'large': (2560 if args.quick else 60000, 1), 'tiny': (1000, 5 if args.quick else 20),
             'lstm': (32 * (6 if args.quick else 40), 1)}
    print(f"numpy {np.__version__}, teachnet {teachnet.__version__}, blas threads {args.threads or blas_threads()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    for name in MODELS:
        if args.only in (None, name):
            # the tiny fit lasts a quarter of a second: its ratio swings by several per cent
            # from one run to the next, so it takes three times as many runs (10 s in all)
            compare(name, *sizes[name], repeats * (3 if name == 'tiny' and not args.repeats else 1))


if __name__ == '__main__':
    main()
