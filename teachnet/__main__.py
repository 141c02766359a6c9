"""``python -m teachnet``: train the guide's MLP on real handwritten digits, then look inside.

It trains the Keras 1 guide's "MLP for multi-class softmax classification" on the 8x8
handwritten digits that ship with scikit-learn (no download), with a live progress bar,
reports the test accuracy, and prints every forward and backward step of one Dense layer
on one sample.
"""
import argparse
import sys

from teachnet.backend import array_module as am

#: what ``--help`` says: plain text (the module docstring is reStructuredText)
DESCRIPTION = ("Train the Keras 1 guide's MLP on the 8x8 handwritten digits that ship with "
               "scikit-learn (no download), report its test accuracy, then print every forward "
               "and backward step of its last Dense layer on one test sample.")


def load_digits_split(test_fraction=0.2):
    """The 1,797 8x8 digits as (x_train, y_train), (x_test, y_test): pixels scaled to [0, 1],
    labels one-hot; a fixed shuffle so every run splits the same way."""
    from sklearn.datasets import load_digits
    from teachnet.utils.np_utils import to_categorical
    digits = load_digits()
    np = am.host
    order = np.random.default_rng(0).permutation(len(digits.target))
    x = (digits.data[order] / 16.0).astype('float32')
    y = to_categorical(digits.target[order], 10)
    split = int(len(x) * (1 - test_fraction))
    return (x[:split], y[:split]), (x[split:], y[split:])


def build_guide_mlp(input_dim):
    """The guide's MLP: Dense(64) tanh, Dropout(0.5), Dense(64) tanh, Dropout(0.5), Dense(10) softmax."""
    from teachnet.layers import Activation, Dense, Dropout
    from teachnet.models import Sequential
    from teachnet.optimizers import SGD
    model = Sequential()
    model.add(Dense(64, input_dim=input_dim, init='uniform'))
    model.add(Activation('tanh'))
    model.add(Dropout(0.5))
    model.add(Dense(64, init='uniform'))
    model.add(Activation('tanh'))
    model.add(Dropout(0.5))
    model.add(Dense(10, init='uniform'))
    model.add(Activation('softmax'))
    # The guide uses lr=0.1 on 20 random features; on 64 pixels that step is too long (the
    # loss climbs back after the first epochs, in PyTorch as here), so we halve it.
    sgd = SGD(lr=0.05, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m teachnet', description=DESCRIPTION)
    parser.add_argument('--epochs', type=int, default=20, help='training epochs (default 20)')
    parser.add_argument('--batch-size', type=int, default=16, help='samples per batch (default 16)')
    parser.add_argument('--seed', type=int, default=42, help='random seed (default 42)')
    parser.add_argument('--backend', choices=('numpy', 'cupy', 'strict', 'auto'), default=None,
                        help='array backend (default: TEACHNET_BACKEND or numpy)')
    args = parser.parse_args(argv)

    import teachnet
    if args.backend:
        am.set_backend(args.backend)
    teachnet.set_seed(args.seed)
    teachnet.backend.clear_session()        # layer names from dense_1, whatever ran before
    (x_train, y_train), (x_test, y_test) = load_digits_split()
    print(f'teachnet {teachnet.__version__} on the {am.get_backend()} backend: the guide\'s MLP on '
          f'{len(x_train)} handwritten 8x8 digits, tested on {len(x_test)}.\n')
    model = build_guide_mlp(x_train.shape[1])
    model.summary()
    model.fit(x_train, y_train, nb_epoch=args.epochs, batch_size=args.batch_size, verbose=1)
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=args.batch_size, verbose=0)
    print(f'\nTest loss {loss:.4f}, test accuracy {accuracy:.2%}\n')

    probabilities = model.predict(x_test)
    hardest = int((probabilities * y_test).sum(axis=1).argmin())   # the least confident sample
    print(f'Test sample {hardest} (a {y_test[hardest].argmax()}, given probability '
          f'{(probabilities[hardest] * y_test[hardest]).sum():.2f}) through the last Dense layer, step by '
          'step (forward: what it computes; backward: the gradients it passes back):\n')
    trace = model.trace(x_test[hardest:hardest + 1], y_test[hardest:hardest + 1], training=False)
    last_dense = [layer.name for layer in model.layers if type(layer).__name__ == 'Dense'][-1]
    print(trace.layer(last_dense))
    return 0


if __name__ == '__main__':
    sys.exit(main())
