"""teachnet next to Keras 3 (on JAX or on PyTorch) on the benchmark models, CPU only.

Keras is optional: pip install -e '.[bench]' (Keras 3, JAX and PyTorch).

    python benchmarks/bench_keras.py                          # all three models, both backends
    python benchmarks/bench_keras.py --model convnet --backend jax
    python benchmarks/bench_keras.py --model imdb --backend torch --rounds 3

The models are those of bench_convnet.py and bench_recurrent.py, on the same synthetic data:
the guide's VGG-like convnet (3x32x32, batch 32, SGD nesterov), Embedding(20000, 128) ->
LSTM(128) -> Dense(1) (batch 32, RMSprop) and 3 x LSTM(32) -> Dense(10) (batch 64, RMSprop).
Keras builds them with its own defaults where those are its fast path: channels-last images
(teachnet keeps the guide's channels-first), sigmoid LSTM gates (teachnet: the guide's
hard_sigmoid).

Keras reads its backend once, at import, so every contender runs in a process of its own:
teachnet, Keras, teachnet, Keras, ... for ``--rounds`` rounds, so that a busy neighbour
slows them alike. Each process trains one warm-up epoch (Keras compiles its train step
then), then times ``--epochs`` epochs of ``fit(..., verbose=0)`` and reports the best and
the median. Threads are left as each library sets them.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = {'convnet': (32, 1024), 'imdb': (32, 640), 'stacked': (64, 6400)}     # batch, samples per epoch


def data(model, samples):
    import numpy as np
    sys.path.insert(0, HERE)
    import bench_mlp
    import bench_recurrent
    rng = np.random.default_rng(0)
    if model == 'convnet':
        x, y = bench_mlp.synthetic_data(samples, 3 * 32 * 32, 10, seed=5)
        return x.reshape(-1, 3, 32, 32), y
    if model == 'imdb':
        return bench_recurrent.imdb_data(samples, rng)
    return bench_recurrent.stacked_data(samples, rng)


def teachnet_model(model):
    sys.path.insert(0, HERE)
    if model == 'convnet':
        import bench_convnet
        return bench_convnet.teachnet_convnet()
    import bench_recurrent
    return bench_recurrent.teachnet_imdb() if model == 'imdb' else bench_recurrent.teachnet_stacked()


def keras_model(model):
    import keras
    from keras import layers
    keras.utils.set_random_seed(0)
    if model == 'convnet':
        net = keras.Sequential([
            keras.Input((32, 32, 3)),
            layers.Conv2D(32, 3, activation='relu'), layers.Conv2D(32, 3, activation='relu'),
            layers.MaxPooling2D(2), layers.Dropout(0.25),
            layers.Conv2D(64, 3, activation='relu'), layers.Conv2D(64, 3, activation='relu'),
            layers.MaxPooling2D(2), layers.Dropout(0.25),
            layers.Flatten(), layers.Dense(256, activation='relu'), layers.Dropout(0.5),
            layers.Dense(10, activation='softmax')])
        net.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
                    loss='categorical_crossentropy')
        return net
    if model == 'imdb':
        net = keras.Sequential([keras.Input((80,), dtype='int32'), layers.Embedding(20000, 128), layers.LSTM(128),
                                layers.Dense(1, activation='sigmoid')])
        net.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-8),
                    loss='binary_crossentropy')
        return net
    net = keras.Sequential([keras.Input((8, 16)), layers.LSTM(32, return_sequences=True),
                            layers.LSTM(32, return_sequences=True), layers.LSTM(32),
                            layers.Dense(10, activation='softmax')])
    net.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-8),
                loss='categorical_crossentropy')
    return net


def measure(contender, model, epochs):
    """Run in a child process: samples/s of each timed epoch of one contender."""
    batch_size, samples = MODELS[model]
    x, y = data(model, samples)
    if contender == 'teachnet':
        net = teachnet_model(model)
    else:
        if model == 'convnet':
            x = x.transpose(0, 2, 3, 1).copy()           # Keras's default: channels last
        net = keras_model(model)
    net.fit(x[:4 * batch_size], y[:4 * batch_size], batch_size=batch_size, epochs=1, verbose=0)     # warm-up / compile
    net.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    rates = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
        rates.append(samples / (time.perf_counter() - start))
    return rates


def run_child(contender, backend, model, epochs):
    environment = dict(os.environ, KERAS_BACKEND=backend)
    command = [sys.executable, os.path.abspath(__file__), '--child', contender, '--model', model,
               '--epochs', str(epochs)]
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{contender} on {model} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def keras_available(backend):
    environment = dict(os.environ, KERAS_BACKEND=backend)
    probe = subprocess.run([sys.executable, '-c', 'import keras'], env=environment, capture_output=True)
    return probe.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', choices=sorted(MODELS), nargs='+', default=['convnet', 'imdb', 'stacked'])
    parser.add_argument('--backend', choices=['jax', 'torch'], nargs='+', default=['jax', 'torch'])
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--epochs', type=int, default=3, help='timed epochs per process')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.model[0], args.epochs)))
        return
    backends = [backend for backend in args.backend if keras_available(backend)]
    if not backends:
        print("Keras is not installed (pip install keras jax): nothing to compare.")
        return
    print(f"load average {os.getloadavg()[0]:.2f}; samples/s: median (best) over {args.rounds} rounds "
          f"of {args.epochs} epochs")
    print(f"  {'model':<9}{'contender':<16}{'samples/s':>18}   teachnet / contender")
    for model in args.model:
        contenders = ['teachnet'] + [f'keras-{backend}' for backend in backends]
        rates = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name in contenders:
                backend = name.split('-')[1] if name.startswith('keras') else 'jax'
                rates[name] += run_child('teachnet' if name == 'teachnet' else 'keras', backend, model, args.epochs)
        ours = statistics.median(rates['teachnet'])
        for name in contenders:
            median, best = statistics.median(rates[name]), max(rates[name])
            ratio = '' if name == 'teachnet' else f"{ours / median:.2f}"
            print(f"  {model:<9}{name:<16}{median:10,.0f} ({best:,.0f})   {ratio}")


if __name__ == '__main__':
    main()
