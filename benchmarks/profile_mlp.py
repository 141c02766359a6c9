"""Where does teachnet's ``fit`` spend its time? cProfile over the two benchmark MLPs.

    python benchmarks/profile_mlp.py            # both models, top 25 functions each
    python benchmarks/profile_mlp.py --top 40 --only tiny

For each model, ``fit`` runs under cProfile and the functions are listed by their own time
(``tottime``: time inside the function, not in the Python functions it calls), in µs per
batch, with the number of calls per batch. Array arithmetic written with operators
(``a * b``, ``a @ W``) runs inside the function that wrote it, so an op's ``forward`` or
``backward`` counts its array work too; NumPy functions called by name (``numpy.dot``,
``maximum``, ``Generator.random``) appear on their own lines.

cProfile adds a fixed cost to every Python call, so the total here is larger than the
benchmark's; read the list for its order and for the calls per batch.
"""
import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_mlp  # noqa: E402
from teachnet.optimizers import SGD, RMSprop  # noqa: E402


def models():
    """(label, model, x, y, batch_size, epochs) for the large and the tiny benchmark."""
    large = bench_mlp.teachnet_mlp((784, 512, 512, 10), 'relu', 0.2, RMSprop())
    x_large, y_large = bench_mlp.synthetic_data(128 * 150, 784, 10, seed=1)
    tiny = bench_mlp.teachnet_mlp((20, 64, 64, 10), 'tanh', 0.5,
                                  SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True), init='uniform')
    x_tiny, y_tiny = bench_mlp.synthetic_data(1024, 20, 10, seed=2)
    return {'large': ('784-512-512-10, relu, RMSprop, batch 128', large, x_large, y_large, 128, 1),
            'tiny': ('20-64-64-10, tanh, SGD nesterov, batch 16', tiny, x_tiny, y_tiny, 16, 10)}


def where(function_key):
    filename, line, name = function_key
    if filename == '~':
        return name                                 # a built-in (C) function
    marker = f'{os.sep}teachnet{os.sep}'
    if marker in filename:
        filename = 'teachnet/' + filename.split(marker, 1)[1]
    else:
        filename = os.path.basename(filename)
    return f'{filename}:{line}({name})'


def profile(label, model, x, y, batch_size, epochs, top):
    fit = lambda: model.fit(x, y, batch_size=batch_size, nb_epoch=epochs, verbose=0, shuffle=True)
    fit()                                           # warm up
    batches = epochs * -(-len(x) // batch_size)
    start = time.perf_counter()
    fit()
    plain = (time.perf_counter() - start) / batches * 1e6
    profiler = cProfile.Profile()
    profiler.runcall(fit)
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])
    total = sum(row[1][2] for row in rows) / batches * 1e6
    print(f"{label}: {plain:.0f} µs/batch without the profiler, {total:.0f} µs/batch under it")
    print(f"  {'own µs/batch':>12} {'cum µs/batch':>12} {'calls/batch':>11}  function")
    for key, (_, calls, own, cumulative, _) in rows[:top]:
        print(f"  {own / batches * 1e6:12.1f} {cumulative / batches * 1e6:12.1f} "
              f"{calls / batches:11.1f}  {where(key)}")
    calls = sum(row[1][1] for row in rows) / batches
    print(f"  {calls:.0f} profiled calls per batch in all")
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--top', type=int, default=25)
    parser.add_argument('--only', nargs='+', choices=('large', 'tiny'), default=['large', 'tiny'])
    args = parser.parse_args(argv)
    for name, setup in models().items():
        if name in args.only:
            profile(*setup, top=args.top)


if __name__ == '__main__':
    main()
