"""A multilayer perceptron on the MNIST digits: the classic first network.

Each 28x28 image is unrolled into 784 numbers in [0, 1]; two hidden layers of ReLU
units with dropout map them to ten probabilities, one per digit:

    784 pixels -> Dense(512) -> relu -> Dropout(0.2) -> Dense(512) -> relu -> Dropout(0.2)
               -> Dense(10) -> softmax

Real data: MNIST (60,000 training images), downloaded once into the cache; about 98%
test accuracy after 20 epochs. Offline (``--offline``, or when MNIST cannot be fetched):
scikit-learn's 8x8 digits, 64 pixels each, with hidden layers of 128 units.

    python examples/mnist_mlp.py                # MNIST if available, else offline
    python examples/mnist_mlp.py --offline --epochs 5
"""
import argparse
import sys

import teachnet
from teachnet.datasets import digits
from teachnet.layers import Activation, Dense, Dropout
from teachnet.models import Sequential
from teachnet.optimizers import RMSprop
from teachnet.utils.data_utils import DatasetUnavailable
from teachnet.utils.np_utils import to_categorical

NB_CLASSES = 10


def load_mnist():
    """MNIST as rows of 784 floats in [0, 1]."""
    from teachnet.datasets import mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = x_train.reshape(len(x_train), 784).astype('float32') / 255
    x_test = x_test.reshape(len(x_test), 784).astype('float32') / 255
    return x_train, y_train, x_test, y_test


def load_offline():
    """The 8x8 digits as rows of 64 floats in [0, 1]."""
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    return x_train.reshape(len(x_train), 64), y_train, x_test.reshape(len(x_test), 64), y_test


def build_model(input_dim, hidden):
    model = Sequential()
    model.add(Dense(hidden, input_shape=(input_dim,)))
    model.add(Activation('relu'))
    model.add(Dropout(0.2))
    model.add(Dense(hidden))
    model.add(Activation('relu'))
    model.add(Dropout(0.2))
    model.add(Dense(NB_CLASSES))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--offline', action='store_true', help='use the 8x8 digits, no download')
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--batch-size', type=int, default=None, help='default: 128 (MNIST), 32 (offline)')
    parser.add_argument('--seed', type=int, default=1337)
    parser.add_argument('--verbose', type=int, default=1)
    args = parser.parse_args(argv)
    teachnet.set_seed(args.seed)

    if not args.offline:
        try:
            x_train, y_train, x_test, y_test = load_mnist()
        except DatasetUnavailable as error:
            print(f"MNIST is not available ({error}).\nUsing the offline 8x8 digits instead.", file=sys.stderr)
            args.offline = True
    if args.offline:
        x_train, y_train, x_test, y_test = load_offline()
    batch_size = args.batch_size or (32 if args.offline else 128)
    hidden = 128 if args.offline else 512
    print(x_train.shape[0], 'train samples,', x_test.shape[0], 'test samples')

    y_train = to_categorical(y_train, NB_CLASSES)          # class ids -> one-hot rows
    y_test = to_categorical(y_test, NB_CLASSES)

    model = build_model(x_train.shape[1], hidden)
    model.summary()
    history = model.fit(x_train, y_train, batch_size=batch_size, nb_epoch=args.epochs,
                        verbose=args.verbose, validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    print('Test score:', round(float(score[0]), 4))
    print('Test accuracy:', round(float(score[1]), 4))
    return {'model': model, 'history': history, 'score': score, 'offline': args.offline}


if __name__ == '__main__':
    main()
