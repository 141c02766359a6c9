"""Topic classification with a plain MLP on word counts: Reuters newswires, or Python's help pages.

Each document becomes one row of ``max_words`` numbers, 1 where a word occurs
(``Tokenizer.sequences_to_matrix(mode='binary')``, "a bag of words"); an MLP maps that row
to one probability per topic:

    words -> Dense(512) -> relu -> Dropout(0.5) -> Dense(topics) -> softmax

Real data: Keras's Reuters newswires (46 topics), downloaded once into the cache. Offline
(``--offline``, or when the file cannot be fetched): the help pages that ship with Python
(``pydoc_data``), cut into 30-word documents; the task is to tell which of the
``--topics`` longest pages a document comes from (such as 'try', 'typesmapping' or
'formatstrings'). The words give it away often, but not always, which makes it learnable
and not trivial. The documents of each page are shuffled before the train/test split.

    python examples/reuters_mlp.py              # Reuters if available, else offline
    python examples/reuters_mlp.py --offline --epochs 3
"""
import argparse
import sys

import teachnet
from teachnet.backend.array_module import host as np
from teachnet.layers import Activation, Dense, Dropout
from teachnet.models import Sequential
from teachnet.preprocessing.text import Tokenizer
from teachnet.utils.data_utils import DatasetUnavailable
from teachnet.utils.np_utils import to_categorical


def load_reuters(max_words):
    """Reuters as word-index sequences, already ranked by frequency."""
    from teachnet.datasets import reuters
    (x_train, y_train), (x_test, y_test) = reuters.load_data(nb_words=max_words, test_split=0.2)
    return x_train, y_train, x_test, y_test, None


def load_help_pages(max_words, nb_topics, seed=113):
    """The offline corpus: 30-word pieces of the ``nb_topics`` longest help pages, labelled by page."""
    from teachnet.datasets.pydoc_text import load_documents
    texts, topics = load_documents(words_per_document=30)
    names, counts = np.unique(topics, return_counts=True)
    chosen = sorted(names[np.argsort(-counts, kind='stable')[:nb_topics]].tolist())
    label_of = {name: label for label, name in enumerate(chosen)}
    pairs = [(text, label_of[topic]) for text, topic in zip(texts, topics) if topic in label_of]
    order = np.random.RandomState(seed).permutation(len(pairs))
    texts = [pairs[i][0] for i in order]
    labels = np.array([pairs[i][1] for i in order])
    cut = int(0.8 * len(texts))
    tokenizer = Tokenizer(nb_words=max_words)
    tokenizer.fit_on_texts(texts[:cut])                  # the vocabulary comes from training text only
    sequences = tokenizer.texts_to_sequences(texts)
    return sequences[:cut], labels[:cut], sequences[cut:], labels[cut:], chosen


def build_model(max_words, nb_classes):
    model = Sequential()
    model.add(Dense(512, input_shape=(max_words,)))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(nb_classes))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--offline', action='store_true', help="use Python's help pages, no download")
    parser.add_argument('--epochs', type=int, default=5)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--max-words', type=int, default=1000)
    parser.add_argument('--topics', type=int, default=8, help='offline: how many help pages to tell apart')
    parser.add_argument('--seed', type=int, default=1337)
    parser.add_argument('--verbose', type=int, default=1)
    args = parser.parse_args(argv)
    teachnet.set_seed(args.seed)

    topic_names = None
    if not args.offline:
        try:
            x_train, y_train, x_test, y_test, topic_names = load_reuters(args.max_words)
        except DatasetUnavailable as error:
            print(f"Reuters is not available ({error}).\nUsing the offline corpus instead.", file=sys.stderr)
            args.offline = True
    if args.offline:
        x_train, y_train, x_test, y_test, topic_names = load_help_pages(args.max_words, args.topics)
        print('Offline corpus: pieces of the help pages', ', '.join(topic_names))
    print(len(x_train), 'train sequences,', len(x_test), 'test sequences')
    nb_classes = int(max(y_train.max(), y_test.max())) + 1
    print(nb_classes, 'classes')

    print('Vectorizing sequence data...')
    tokenizer = Tokenizer(nb_words=args.max_words)
    x_train = tokenizer.sequences_to_matrix(x_train, mode='binary')
    x_test = tokenizer.sequences_to_matrix(x_test, mode='binary')
    y_train = to_categorical(y_train, nb_classes)
    y_test = to_categorical(y_test, nb_classes)
    print('x_train shape:', x_train.shape, 'x_test shape:', x_test.shape)

    model = build_model(args.max_words, nb_classes)
    history = model.fit(x_train, y_train, nb_epoch=args.epochs, batch_size=args.batch_size,
                        verbose=args.verbose, validation_split=0.1)
    score = model.evaluate(x_test, y_test, batch_size=args.batch_size, verbose=0)
    print('Test score:', round(float(score[0]), 4))
    print('Test accuracy:', round(float(score[1]), 4))
    return {'model': model, 'history': history, 'score': score, 'nb_classes': nb_classes,
            'topics': topic_names}


if __name__ == '__main__':
    main()
