"""A convnet on CIFAR-10 small colour photos, trained with real-time data augmentation.

Two blocks of two 3x3 convolutions and a 2x2 max pooling, then a dense classifier:

    image -> [Conv 3x3 (32, same) -> relu -> Conv 3x3 (32) -> relu -> MaxPool 2x2 -> Dropout(0.25)]
          -> [the same with 64 filters] -> Flatten -> Dense(512) -> relu -> Dropout(0.5)
          -> Dense(10) -> softmax

Augmentation: every epoch sees each picture shifted by up to 10% of its size and, half of
the time, mirrored left-right (``ImageDataGenerator``), served batch by batch to
``fit_generator``. ``--no-augmentation`` trains with plain ``fit`` instead.

Real data: CIFAR-10 (50,000 photos, 3 x 32 x 32), downloaded once into the cache. Offline
(``--offline``, or when CIFAR-10 cannot be fetched): scikit-learn's 8x8 digits, where every
convolution pads ('same') so that two poolings fit (8 -> 4 -> 2 pixels), and without the
mirroring (a mirrored 2 is no longer a 2).

    python examples/cifar10_cnn.py              # CIFAR-10 if available (200 epochs), else offline
    python examples/cifar10_cnn.py --offline    # the digits, 30 epochs: about a minute
"""
import argparse
import sys

import teachnet
from teachnet.datasets import digits
from teachnet.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from teachnet.models import Sequential
from teachnet.optimizers import SGD
from teachnet.preprocessing.image import ImageDataGenerator
from teachnet.utils.data_utils import DatasetUnavailable
from teachnet.utils.np_utils import to_categorical

NB_CLASSES = 10
CIFAR10_EPOCHS = 200
OFFLINE_EPOCHS = 30           # the 8x8 digits learn in a few epochs: about a minute on one core


def load_cifar10():
    from teachnet.datasets import cifar10
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    return x_train.astype('float32') / 255, y_train, x_test.astype('float32') / 255, y_test


def load_offline():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    return x_train, y_train, x_test, y_test


def conv_block(model, filters, second_border_mode, **first_layer_options):
    model.add(Convolution2D(filters, 3, 3, border_mode='same', **first_layer_options))
    model.add(Activation('relu'))
    model.add(Convolution2D(filters, 3, 3, border_mode=second_border_mode))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))


def build_model(input_shape, small_images):
    second_border_mode = 'same' if small_images else 'valid'
    model = Sequential()
    conv_block(model, 32, second_border_mode, input_shape=input_shape)
    conv_block(model, 64, second_border_mode)
    model.add(Flatten())
    model.add(Dense(512))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(NB_CLASSES))
    model.add(Activation('softmax'))
    sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--offline', action='store_true', help='use the 8x8 digits, no download')
    parser.add_argument('--epochs', type=int, default=None, help='default: 200 on CIFAR-10, 30 offline')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--limit', type=int, default=None, help='train and test on the first LIMIT samples only')
    parser.add_argument('--no-augmentation', action='store_true', help='train with plain fit')
    parser.add_argument('--seed', type=int, default=1337)
    parser.add_argument('--verbose', type=int, default=1)
    args = parser.parse_args(argv)
    teachnet.set_seed(args.seed)

    if not args.offline:
        try:
            x_train, y_train, x_test, y_test = load_cifar10()
        except DatasetUnavailable as error:
            print(f"CIFAR-10 is not available ({error}).\nUsing the offline 8x8 digits instead.", file=sys.stderr)
            args.offline = True
    if args.offline:
        x_train, y_train, x_test, y_test = load_offline()
    if args.epochs is None:
        args.epochs = OFFLINE_EPOCHS if args.offline else CIFAR10_EPOCHS
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
        x_test, y_test = x_test[:args.limit], y_test[:args.limit]
    print('x_train shape:', x_train.shape)
    print(x_train.shape[0], 'train samples,', x_test.shape[0], 'test samples')

    y_train = to_categorical(y_train, NB_CLASSES)
    y_test = to_categorical(y_test, NB_CLASSES)
    model = build_model(x_train.shape[1:], small_images=args.offline)

    if args.no_augmentation:
        print('Not using data augmentation.')
        history = model.fit(x_train, y_train, batch_size=args.batch_size, nb_epoch=args.epochs,
                            validation_data=(x_test, y_test), shuffle=True, verbose=args.verbose)
    else:
        print('Using real-time data augmentation.')
        datagen = ImageDataGenerator(
            width_shift_range=0.1,                  # shift by up to 10% of the width
            height_shift_range=0.1,                 # and of the height
            horizontal_flip=not args.offline)       # mirror half of the photos (not digits)
        datagen.fit(x_train)                        # needed only for featurewise statistics
        history = model.fit_generator(datagen.flow(x_train, y_train, batch_size=args.batch_size),
                                      samples_per_epoch=x_train.shape[0], nb_epoch=args.epochs,
                                      validation_data=(x_test, y_test), verbose=args.verbose)
    score = model.evaluate(x_test, y_test, verbose=0)
    print('Test score:', round(float(score[0]), 4))
    print('Test accuracy:', round(float(score[1]), 4))
    return {'model': model, 'history': history, 'score': score, 'offline': args.offline}


if __name__ == '__main__':
    main()
