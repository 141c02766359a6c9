"""The guide's VGG-like convnet on 3x32x32 images: samples per second, teachnet and PyTorch.

    python benchmarks/bench_convnet.py                 # 1,536 samples, 3 repeats
    python benchmarks/bench_convnet.py --count 1024 --repeats 5
    python benchmarks/bench_convnet.py --profile       # cProfile of one teachnet epoch
    python benchmarks/bench_convnet.py --threads 1     # BLAS and PyTorch on one thread each

The model is the guide's (conv 32, conv 32, max-pool, dropout, conv 64, conv 64, max-pool,
dropout, dense 256, dropout, dense 10, softmax), channels first, on 3x32x32 inputs instead
of 3x100x100, trained with the guide's SGD(lr=0.1, decay=1e-6, momentum=0.9,
nesterov=True), batch 32, one epoch per timing. PyTorch (when installed) runs the same
network from the same initial weights (teachnet's, copied), with ``cross_entropy`` on the
logits, ``zero_grad`` / ``backward`` / ``step`` / ``loss.item()`` per batch.

The data are synthetic and learnable: x ~ U(0, 1) and the label is the argmax of
(x - ½)·M for a fixed random M (10 classes). The contenders take turns so that a busy
neighbour slows them alike; the median and the range are printed, and the ratio of
throughputs.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import teachnet  # noqa: E402
from bench_mlp import environment, paired_ratios, race, spread, synthetic_data, torch  # noqa: E402
from teachnet.layers import Activation, Dense, Dropout, Flatten  # noqa: E402
from teachnet.layers.convolutional import Convolution2D  # noqa: E402
from teachnet.layers.pooling import MaxPooling2D  # noqa: E402
from teachnet.models import Sequential  # noqa: E402
from teachnet.optimizers import SGD  # noqa: E402

SGD_SETTINGS = dict(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
IMAGE = (3, 32, 32)


def teachnet_convnet(seed=0):
    """The guide's VGG-like convnet, as the guide writes it, on IMAGE-shaped inputs."""
    teachnet.set_seed(seed)
    model = Sequential()
    model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=IMAGE))
    model.add(Activation('relu'))
    model.add(Convolution2D(32, 3, 3))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Convolution2D(64, 3, 3, border_mode='valid'))
    model.add(Activation('relu'))
    model.add(Convolution2D(64, 3, 3))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(256))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=SGD(**SGD_SETTINGS))
    return model


def torch_convnet(model):
    """The same network in PyTorch with ``model``'s weights: kernels (rows, cols, in, out)
    become (out, in, rows, cols), Dense kernels are transposed."""
    nn = torch.nn
    flat = next(layer for layer in model.layers if isinstance(layer, Flatten)).output_shape[1]   # 64·5·5
    net = nn.Sequential(nn.Conv2d(3, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Dropout(0.25), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(flat, 256), nn.ReLU(),
                        nn.Dropout(0.5), nn.Linear(256, 10))
    weights = model.get_weights()
    learned = [layer for layer in net if isinstance(layer, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        for layer, kernel, bias in zip(learned, weights[0::2], weights[1::2]):
            kernel = kernel.transpose(3, 2, 0, 1) if kernel.ndim == 4 else kernel.T
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
            layer.bias.copy_(torch.from_numpy(bias))
    return net


def torch_epoch(net, optimizer, x, labels, batch_size, updates):
    net.train()
    order = torch.randperm(len(x))
    for start in range(0, len(x), batch_size):
        for group in optimizer.param_groups:            # Keras 1's lr / (1 + decay · iterations)
            group['lr'] = SGD_SETTINGS['lr'] / (1.0 + SGD_SETTINGS['decay'] * updates[0])
        updates[0] += 1
        ids = order[start:start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(net(x[ids]), labels[ids])
        loss.backward()
        optimizer.step()
        loss.item()


def accuracy(probabilities, y):
    return float((np.asarray(probabilities).argmax(axis=1) == y.argmax(axis=1)).mean())


def bench_convnet(count=1536, repeats=3, batch_size=32, test_count=1000):
    x, y = synthetic_data(count + test_count, int(np.prod(IMAGE)), 10, seed=5)
    x = x.reshape((-1,) + IMAGE)
    x, y, x_test, y_test = x[:count], y[:count], x[count:], y[count:]
    model = teachnet_convnet()
    contenders = {'teachnet': lambda: model.fit(x, y, batch_size=batch_size, nb_epoch=1, verbose=0, shuffle=True)}
    if torch is not None:
        net = torch_convnet(model)
        optimizer = torch.optim.SGD(net.parameters(), lr=SGD_SETTINGS['lr'], momentum=SGD_SETTINGS['momentum'],
                                    nesterov=True)
        tx, tlabels, updates = torch.from_numpy(x), torch.from_numpy(y.argmax(axis=1)), [0]
        contenders['torch'] = lambda: torch_epoch(net, optimizer, tx, tlabels, batch_size, updates)
    warm = 8 * batch_size                              # warm up: a few batches each
    model.fit(x[:warm], y[:warm], batch_size=batch_size, nb_epoch=1, verbose=0)
    if torch is not None:
        torch_epoch(net, optimizer, tx[:warm], tlabels[:warm], batch_size, updates)
    times = race(contenders, repeats)
    accuracies = {'teachnet': accuracy(model.predict(x_test, batch_size=256), y_test)}
    if torch is not None:
        net.eval()
        with torch.no_grad():
            accuracies['torch'] = accuracy(net(torch.from_numpy(x_test)).numpy(), y_test)
    return {'count': count, 'batch_size': batch_size, 'times': times, 'accuracy': accuracies}


def print_convnet(result):
    count, times = result['count'], result['times']
    print(f"VGG-like convnet, 3x32x32, SGD nesterov, batch {result['batch_size']}: one epoch of {count} samples")
    print("  median s/epoch (min .. max)      samples/s (median, best)   held-out accuracy")
    for name, samples in times.items():
        median, low, high = spread(samples)
        print(f"  {name:<10}{median:8.3f} s ({low:.3f} .. {high:.3f})   {count / median:8.0f} {count / low:8.0f}"
              f"        {result['accuracy'][name]:.3f}")
    teachnet_rate = count / spread(times['teachnet'])[0]
    print(f"  target teachnet >= 1000 samples/s: {'met' if teachnet_rate >= 1000 else 'NOT met'} "
          f"({teachnet_rate:.0f})")
    if 'torch' in times:
        ratio = spread(times['teachnet'])[0] / spread(times['torch'])[0]
        best = min(times['teachnet']) / min(times['torch'])
        print(f"  torch throughput / teachnet throughput = {ratio:.2f} (medians), {best:.2f} (best epochs)")
        print(f"  target teachnet >= 0.8x torch's samples/s (issue 13): {'met' if 1 / ratio >= 0.8 else 'NOT met'} "
              f"({1 / ratio:.2f}x)")
        rounds = paired_ratios(times['torch'], times['teachnet'])          # teachnet's rate / torch's
        print(f"  teachnet / torch samples/s, round by round: {', '.join(f'{r:.2f}' for r in rounds)}")


def profile(count=512, batch_size=32):
    import cProfile
    import pstats
    x, y = synthetic_data(count, int(np.prod(IMAGE)), 10, seed=5)
    x = x.reshape((-1,) + IMAGE)
    model = teachnet_convnet()
    model.fit(x[:64], y[:64], batch_size=batch_size, nb_epoch=1, verbose=0)
    profiler = cProfile.Profile()
    profiler.enable()
    model.fit(x, y, batch_size=batch_size, nb_epoch=1, verbose=0)
    profiler.disable()
    pstats.Stats(profiler).sort_stats('tottime').print_stats(25)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--count', type=int, default=1536, help='samples per epoch')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--profile', action='store_true', help='cProfile one teachnet epoch instead')
    parser.add_argument('--threads', type=int, default=None,
                        help='limit BLAS and PyTorch to this many threads (steadier on a busy machine)')
    args = parser.parse_args()
    if args.threads is not None:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    if args.profile:
        profile()
        return
    facts = environment()
    if args.threads is not None:               # environment() set PyTorch to the BLAS count
        facts['blas threads'] = args.threads
        if torch is not None:
            torch.set_num_threads(args.threads)
            facts['torch'] = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    for key, value in facts.items():
        print(f"{key}: {value}")
    print_convnet(bench_convnet(args.count, args.repeats))


if __name__ == '__main__':
    main()
