"""A small convnet on the MNIST digits.

Two 3x3 convolutions find strokes and corners, max pooling keeps the strongest response
of each 2x2 window, and a dense layer reads the result:

    image -> Conv 3x3 (32) -> relu -> Conv 3x3 (32) -> relu -> MaxPool 2x2 -> Dropout(0.25)
          -> Flatten -> Dense(128) -> relu -> Dropout(0.5) -> Dense(10) -> softmax

Images are channels first, (1, 28, 28), unless the global image data format is
channels last. Real data: MNIST, downloaded once into the cache; about 99% test accuracy
after 12 epochs. Offline (``--offline``, or when MNIST cannot be fetched): scikit-learn's
8x8 digits (8 -> 6 -> 4 -> 2 pixels through the convolutions and the pooling).

    python examples/mnist_cnn.py                # MNIST if available, else offline
    python examples/mnist_cnn.py --offline --epochs 10
"""
import argparse
import sys

import teachnet
import teachnet.backend as K
from teachnet.datasets import digits
from teachnet.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from teachnet.models import Sequential
from teachnet.utils.data_utils import DatasetUnavailable
from teachnet.utils.np_utils import to_categorical

NB_CLASSES = 10
NB_FILTERS = 32          # convolution filters per layer
POOL_SIZE = (2, 2)       # the area of each max pooling window
KERNEL_SIZE = (3, 3)     # the size of each convolution kernel


def load_mnist():
    """MNIST as float images in [0, 1], shaped for the global image data format."""
    from teachnet.datasets import mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    if K.image_dim_ordering() == 'th':
        x_train, x_test = x_train[:, None], x_test[:, None]             # (n, 1, 28, 28)
    else:
        x_train, x_test = x_train[..., None], x_test[..., None]         # (n, 28, 28, 1)
    return x_train.astype('float32') / 255, y_train, x_test.astype('float32') / 255, y_test


def load_offline():
    (x_train, y_train), (x_test, y_test) = digits.load_data()          # already images in [0, 1]
    return x_train, y_train, x_test, y_test


def build_model(input_shape):
    model = Sequential()
    model.add(Convolution2D(NB_FILTERS, KERNEL_SIZE[0], KERNEL_SIZE[1], border_mode='valid',
                            input_shape=input_shape))
    model.add(Activation('relu'))
    model.add(Convolution2D(NB_FILTERS, KERNEL_SIZE[0], KERNEL_SIZE[1]))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=POOL_SIZE))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(128))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(NB_CLASSES))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--offline', action='store_true', help='use the 8x8 digits, no download')
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--batch-size', type=int, default=None, help='default: 128 (MNIST), 32 (offline)')
    parser.add_argument('--limit', type=int, default=None, help='train and test on the first LIMIT samples only')
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
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
        x_test, y_test = x_test[:args.limit], y_test[:args.limit]
    batch_size = args.batch_size or (32 if args.offline else 128)
    print('x_train shape:', x_train.shape)
    print(x_train.shape[0], 'train samples,', x_test.shape[0], 'test samples')

    y_train = to_categorical(y_train, NB_CLASSES)
    y_test = to_categorical(y_test, NB_CLASSES)

    model = build_model(x_train.shape[1:])
    history = model.fit(x_train, y_train, batch_size=batch_size, nb_epoch=args.epochs,
                        verbose=args.verbose, validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    print('Test score:', round(float(score[0]), 4))
    print('Test accuracy:', round(float(score[1]), 4))
    return {'model': model, 'history': history, 'score': score, 'offline': args.offline}


if __name__ == '__main__':
    main()
