"""Sentiment of movie reviews with an LSTM: words -> vectors -> a memory read word by word.

    word indices (maxlen,) -> Embedding(max_features, 128) -> LSTM(128) -> Dense(1) -> sigmoid

The Embedding turns each word index into a learned 128-number vector; the LSTM reads the
vectors one timestep at a time and keeps a cell state c_t that it may carry over many
words (its forget gate f_t decides how much); its last hidden state h_T says "positive"
or "negative" through one sigmoid unit.

Real data: Keras's IMDB reviews (25,000 to train on, 25,000 to test on), cut or padded to
the last ``maxlen`` words. Offline (``--offline``, or when the file cannot be fetched): a
two-class task on the help pages that ship with Python (``pydoc_data``): 30-word pieces
of the page on compound statements (if, while, for, try, with, def, class) against pieces
of the page on special method names (__init__, __add__, ...). Same model, same pipeline
(Tokenizer -> sequences -> pad_sequences), real English, no download.

    python examples/imdb_lstm.py               # IMDB if available, else offline
    python examples/imdb_lstm.py --offline --epochs 3
"""
import argparse
import sys

import teachnet
from teachnet.backend.array_module import host as np
from teachnet.preprocessing.sequence import pad_sequences
from teachnet.preprocessing.text import Tokenizer
from teachnet.utils.data_utils import DatasetUnavailable

OFFLINE_PAGES = ('compound', 'specialnames')        # label 0, label 1


def load_imdb(max_features):
    from teachnet.datasets import imdb
    (x_train, y_train), (x_test, y_test) = imdb.load_data(nb_words=max_features)
    return x_train, y_train, x_test, y_test


def load_help_pages(max_features, seed=113):
    """30-word pieces of two help pages, labelled by page, as word-index sequences."""
    from teachnet.datasets.pydoc_text import load_documents
    texts, topics = load_documents(words_per_document=30)
    chosen = [(text, OFFLINE_PAGES.index(topic)) for text, topic in zip(texts, topics) if topic in OFFLINE_PAGES]
    order = np.random.RandomState(seed).permutation(len(chosen))
    texts = [chosen[i][0] for i in order]
    labels = np.array([chosen[i][1] for i in order])
    cut = int(0.8 * len(texts))
    tokenizer = Tokenizer(nb_words=max_features)
    tokenizer.fit_on_texts(texts[:cut])
    sequences = tokenizer.texts_to_sequences(texts)
    return sequences[:cut], labels[:cut], sequences[cut:], labels[cut:]


def build_model(max_features, maxlen, units=128):
    from teachnet.layers import LSTM, Activation, Dense, Embedding
    from teachnet.models import Sequential
    model = Sequential()
    model.add(Embedding(max_features, units, input_length=maxlen))
    model.add(LSTM(units, dropout_W=0.2, dropout_U=0.2))
    model.add(Dense(1))
    model.add(Activation('sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--offline', action='store_true', help="use Python's help pages, no download")
    parser.add_argument('--epochs', type=int, default=15)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--max-features', type=int, default=20000, help='vocabulary size')
    parser.add_argument('--maxlen', type=int, default=80, help='words kept per review')
    parser.add_argument('--units', type=int, default=128, help='embedding size and LSTM units')
    parser.add_argument('--seed', type=int, default=1337)
    parser.add_argument('--verbose', type=int, default=1)
    args = parser.parse_args(argv)
    teachnet.set_seed(args.seed)

    print('Loading data...')
    if not args.offline:
        try:
            x_train, y_train, x_test, y_test = load_imdb(args.max_features)
        except DatasetUnavailable as error:
            print(f"IMDB is not available ({error}).\nUsing the offline corpus instead.", file=sys.stderr)
            args.offline = True
    if args.offline:
        args.max_features = min(args.max_features, 2000)
        args.maxlen = min(args.maxlen, 30)
        x_train, y_train, x_test, y_test = load_help_pages(args.max_features)
        print('Offline corpus: pieces of the help pages', ' vs '.join(OFFLINE_PAGES))
    print(len(x_train), 'train sequences,', len(x_test), 'test sequences')

    print('Pad sequences (samples x time)')
    x_train = pad_sequences(x_train, maxlen=args.maxlen)
    x_test = pad_sequences(x_test, maxlen=args.maxlen)
    print('x_train shape:', x_train.shape, 'x_test shape:', x_test.shape)

    print('Build model...')
    model = build_model(args.max_features, args.maxlen, args.units)
    history = model.fit(x_train, y_train, batch_size=args.batch_size, nb_epoch=args.epochs,
                        validation_data=(x_test, y_test), verbose=args.verbose)
    score, accuracy = model.evaluate(x_test, y_test, batch_size=args.batch_size, verbose=0)
    print('Test score:', round(float(score), 4))
    print('Test accuracy:', round(float(accuracy), 4))
    return {'model': model, 'history': history, 'score': score, 'accuracy': accuracy}


if __name__ == '__main__':
    main()
