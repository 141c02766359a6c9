"""Writing text one character at a time with an LSTM, and a temperature to make it bolder.

The model reads ``maxlen`` characters (one-hot) and predicts the next one:

    (maxlen, len(chars)) -> LSTM(128) -> Dense(len(chars)) -> softmax = p(next char)

To write, it predicts, draws a character from p, appends it, slides the window by one and
repeats. The temperature T reshapes p before drawing:

    p_T(c) = p(c)^(1/T) / sum_k p(k)^(1/T)

T -> 0 always takes the likeliest character (safe, repetitive); T = 1 draws from p itself;
T > 1 flattens p (adventurous, more typos). After each training round the model writes
with T = 0.2, 0.5, 1.0 and 1.2, all four texts at once: one batch of four windows per step.

Real data: Nietzsche's writings (the text Keras's example uses), downloaded once into the
cache. Offline (``--offline``, or when it cannot be fetched): the language reference's
help pages that ship with Python (``pydoc_data``).

    python examples/lstm_text_generation.py             # Nietzsche if available: 60 rounds
    python examples/lstm_text_generation.py --offline   # the help pages, 5 rounds: about a minute
"""
import argparse
import sys

import teachnet
from teachnet.backend.array_module import host as np
from teachnet.datasets.pydoc_text import load_character_data
from teachnet.utils.data_utils import DatasetUnavailable, get_file

NIETZSCHE_ORIGIN = 'https://s3.amazonaws.com/text-datasets/nietzsche.txt'
TEMPERATURES = (0.2, 0.5, 1.0, 1.2)
FULL_RUN = {'iterations': 60, 'max_chars': 60000, 'generate_length': 400}
OFFLINE_RUN = {'iterations': 5, 'max_chars': 60000, 'generate_length': 200}   # about a minute on one core


def sample(preds, temperature=1.0, rng=None):
    """Draw one index per row of probabilities ``preds``, sharpened or flattened by ``temperature``.

    # Arguments
        preds: probabilities, shape (classes,) or (rows, classes).
        temperature: T > 0, a number or one per row.
        rng: a NumPy Generator (default: a new unseeded one).

    # Returns
        An int for a single row, else an int array (rows,).

    # How it is computed
        p_T = exp(ln p / T), normalised per row (the largest log subtracted first, so no
        overflow). One uniform u per row; the drawn index is the first c whose cumulative
        probability exceeds u, that is the number of cumulative sums <= u.
    """
    rng = rng if rng is not None else np.random.default_rng()
    preds = np.asarray(preds, dtype=np.float64)
    single = preds.ndim == 1
    preds = np.atleast_2d(preds)
    temperature = np.asarray(temperature, dtype=np.float64).reshape(-1, 1)
    if np.any(temperature <= 0):
        raise ValueError(f"sample: the temperature must be above 0, got {temperature.ravel().tolist()}.")
    logits = np.log(np.maximum(preds, 1e-300)) / temperature
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    draws = rng.random((len(preds), 1))
    chosen = np.minimum((cumulative <= draws).sum(axis=1), preds.shape[1] - 1)
    return int(chosen[0]) if single else chosen


def generate(model, seed_text, chars, char_indices, length, temperatures, rng):
    """Write ``length`` characters after ``seed_text``, once per temperature, in one batch."""
    alphabet = np.arange(len(chars))
    codes = np.tile([char_indices[c] for c in seed_text], (len(temperatures), 1))
    written = []
    for _ in range(length):
        x = codes[..., None] == alphabet                           # (temperatures, maxlen, chars)
        next_codes = sample(model.predict(x, verbose=0), temperatures, rng)
        written.append(next_codes)
        codes = np.concatenate([codes[:, 1:], next_codes[:, None]], axis=1)
    table = np.array(chars)
    return [''.join(row) for row in table[np.stack(written, axis=1)]] if written else [''] * len(temperatures)


def build_model(maxlen, nb_chars, units=128):
    from teachnet.layers import LSTM, Activation, Dense
    from teachnet.models import Sequential
    from teachnet.optimizers import RMSprop
    model = Sequential()
    model.add(LSTM(units, input_shape=(maxlen, nb_chars)))
    model.add(Dense(nb_chars))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=RMSprop(lr=0.01))
    return model


def load_windows(args):
    if not args.offline:
        try:
            path = get_file('nietzsche.txt', origin=NIETZSCHE_ORIGIN)
            with open(path, encoding='utf-8') as handle:
                return load_character_data(args.maxlen, args.step, args.max_chars, text=handle.read())
        except DatasetUnavailable as error:
            print(f"The Nietzsche text is not available ({error}).\nUsing Python's help pages instead.",
                  file=sys.stderr)
    return load_character_data(args.maxlen, args.step, args.max_chars)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--offline', action='store_true', help="use Python's help pages, no download")
    parser.add_argument('--iterations', type=int, default=None, help='rounds of one epoch + writing')
    parser.add_argument('--maxlen', type=int, default=40)
    parser.add_argument('--step', type=int, default=3)
    parser.add_argument('--max-chars', type=int, default=None, help='characters of the text used')
    parser.add_argument('--units', type=int, default=128)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--generate-length', type=int, default=None)
    parser.add_argument('--seed', type=int, default=1337)
    parser.add_argument('--verbose', type=int, default=1)
    args = parser.parse_args(argv)
    for name, value in (OFFLINE_RUN if args.offline else FULL_RUN).items():
        if getattr(args, name) is None:                  # sizes not given: the run's defaults
            setattr(args, name, value)
    teachnet.set_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    x, y, chars, char_indices = load_windows(args)
    print('windows:', len(x), 'alphabet:', len(chars), 'characters')
    model = build_model(args.maxlen, len(chars), args.units)
    losses, samples = [], []
    for iteration in range(1, args.iterations + 1):
        print('-' * 50 + f'\nIteration {iteration}')
        history = model.fit(x, y, batch_size=args.batch_size, nb_epoch=1, verbose=args.verbose)
        losses.append(float(history.history['loss'][-1]))
        start = int(rng.integers(len(x)))
        seed_text = ''.join(np.array(chars)[x[start].argmax(axis=1)])
        print(f'----- Generating with seed: "{seed_text}"')
        texts = generate(model, seed_text, chars, char_indices, args.generate_length, TEMPERATURES, rng)
        for temperature, text in zip(TEMPERATURES, texts):
            print(f'----- temperature {temperature}:\n{seed_text}{text}')
        samples.append(texts)
    return {'model': model, 'losses': losses, 'samples': samples, 'chars': chars}


if __name__ == '__main__':
    main()
