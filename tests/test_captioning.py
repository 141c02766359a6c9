"""The guide's image-captioning program: a convnet and a GRU side by side.

An image model (convolutions, pooling, a Dense code repeated once per word) and a language
model (Embedding, GRU, TimeDistributed Dense) run side by side; a Merge joins them along the
feature axis and a second GRU reads the joined sequence to predict the next word of the
caption. The program runs as written at its own sizes for one small batch, weight file
included; a scaled-down copy learns to caption generated pictures of bars, poles, crosses
and squares.
"""
import numpy as np
import pytest

import teachnet
from teachnet.layers import (Activation, Convolution2D, Dense, Embedding, Flatten, GRU, MaxPooling2D, Merge,
                             RepeatVector, TimeDistributed)
from teachnet.models import Sequential


def _guide_image_model():
    """The guide's image model up to its Dense(128) code (before RepeatVector)."""
    image_model = Sequential()
    image_model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=(3, 100, 100)))
    image_model.add(Activation('relu'))
    image_model.add(Convolution2D(32, 3, 3)); image_model.add(Activation('relu'))                        # noqa: E702
    image_model.add(MaxPooling2D(pool_size=(2, 2)))
    image_model.add(Convolution2D(64, 3, 3, border_mode='valid')); image_model.add(Activation('relu'))   # noqa: E702
    image_model.add(Convolution2D(64, 3, 3)); image_model.add(Activation('relu'))                        # noqa: E702
    image_model.add(MaxPooling2D(pool_size=(2, 2)))
    image_model.add(Flatten())
    image_model.add(Dense(128))
    return image_model


@pytest.mark.backend_independent
def test_guide_captioning_program_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    teachnet.set_seed(0)
    pretrained = _guide_image_model()                 # "pre-trained": saved earlier, loaded below
    pretrained.save_weights('weight_file.h5')

    # ---- the guide's program, as written
    max_caption_len = 16
    vocab_size = 10000
    image_model = Sequential()
    image_model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=(3, 100, 100)))
    image_model.add(Activation('relu'))
    image_model.add(Convolution2D(32, 3, 3)); image_model.add(Activation('relu'))                        # noqa: E702
    image_model.add(MaxPooling2D(pool_size=(2, 2)))
    image_model.add(Convolution2D(64, 3, 3, border_mode='valid')); image_model.add(Activation('relu'))   # noqa: E702
    image_model.add(Convolution2D(64, 3, 3)); image_model.add(Activation('relu'))                        # noqa: E702
    image_model.add(MaxPooling2D(pool_size=(2, 2)))
    image_model.add(Flatten())
    image_model.add(Dense(128))
    image_model.load_weights('weight_file.h5')

    loaded = image_model.get_weights()
    assert len(loaded) == len(pretrained.get_weights()) == 10
    for ours, saved in zip(loaded, pretrained.get_weights()):
        np.testing.assert_array_equal(ours, saved)

    language_model = Sequential()
    language_model.add(Embedding(vocab_size, 256, input_length=max_caption_len))
    language_model.add(GRU(output_dim=128, return_sequences=True))
    language_model.add(TimeDistributed(Dense(128)))

    image_model.add(RepeatVector(max_caption_len))

    model = Sequential()
    model.add(Merge([image_model, language_model], mode='concat', concat_axis=-1))
    model.add(GRU(256, return_sequences=False))
    model.add(Dense(vocab_size))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop')

    rng = np.random.default_rng(0)
    samples = 4
    images = rng.random((samples, 3, 100, 100)).astype('float32')
    partial_captions = rng.integers(0, vocab_size, (samples, max_caption_len))
    next_words = np.eye(vocab_size, dtype='float32')[rng.integers(0, vocab_size, samples)]
    history = model.fit([images, partial_captions], next_words, batch_size=16, nb_epoch=1, verbose=0)

    # ---- what the program built and did
    assert image_model.output_shape == (None, max_caption_len, 128)
    assert language_model.output_shape == (None, max_caption_len, 128)
    assert model.layers[0].output_shape == (None, max_caption_len, 256)
    assert model.output_shape == (None, vocab_size)
    conv_and_dense = 896 + 9248 + 18496 + 36928 + (64 * 22 * 22 * 128 + 128)
    language = vocab_size * 256 + 3 * (256 * 128 + 128 * 128 + 128) + (128 * 128 + 128)
    decoder = 3 * (256 * 256 + 256 * 256 + 256) + (256 * vocab_size + vocab_size)
    assert model.count_params() == conv_and_dense + language + decoder
    loss = history.history['loss']
    assert len(loss) == 1 and abs(loss[0] - np.log(vocab_size)) < 0.5      # about uniform before training
    trained = image_model.get_weights()
    assert not np.array_equal(trained[0], loaded[0]), 'the merged model should train the image branch'
    predictions = model.predict([images, partial_captions], verbose=0)
    assert predictions.shape == (samples, vocab_size)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-4)


# ----------------------------------------------------------------------------- scaled down

WORDS = ['<pad>', '<start>', '<end>', 'a', 'bar', 'pole', 'cross', 'square', 'left', 'right']
INDEX = {word: i for i, word in enumerate(WORDS)}
KINDS, SIDES = ['bar', 'pole', 'cross', 'square'], ['left', 'right']
CAPTION_LEN = 4          # words seen before the one predicted: '<start> a <kind> <side>' at most


def _draw(kind, side, rng):
    """One 1x8x8 picture: a 3-pixel shape at a random place in the left or right half."""
    image = np.zeros((1, 8, 8), dtype='float32')
    top, left = rng.integers(0, 6), rng.integers(0, 2) + (4 if side == 'right' else 0)
    if kind in ('bar', 'cross'):
        image[0, top + 1, left:left + 3] = 1
    if kind in ('pole', 'cross'):
        image[0, top:top + 3, left + 1] = 1
    if kind == 'square':
        image[0, top:top + 3, left:left + 3] = 1
        image[0, top + 1, left + 1] = 0
    return image


def _toy_pictures(n, rng):
    """n pictures and their captions '<start> a <kind> <side> <end>' as word indices."""
    kinds, sides = rng.integers(0, len(KINDS), n), rng.integers(0, len(SIDES), n)
    images = np.stack([_draw(KINDS[k], SIDES[s], rng) for k, s in zip(kinds, sides)])
    captions = np.array([[INDEX[w] for w in ('<start>', 'a', KINDS[k], SIDES[s], '<end>')]
                         for k, s in zip(kinds, sides)])
    return images, captions


def _next_word_pairs(images, captions):
    """Every prefix of every caption, padded on the left to CAPTION_LEN, with its next word one-hot."""
    xs, partials, words = [], [], []
    for t in range(1, captions.shape[1]):
        partial = np.zeros((len(images), CAPTION_LEN), dtype='int64')
        partial[:, CAPTION_LEN - t:] = captions[:, :t]
        xs.append(images)
        partials.append(partial)
        words.append(captions[:, t])
    return np.concatenate(xs), np.concatenate(partials), np.eye(len(WORDS), dtype='float32')[np.concatenate(words)]


def _small_captioner(vocab_size):
    image_model = Sequential()
    image_model.add(Convolution2D(8, 3, 3, border_mode='valid', input_shape=(1, 8, 8)))
    image_model.add(Activation('relu'))
    image_model.add(MaxPooling2D(pool_size=(2, 2)))
    image_model.add(Flatten())
    image_model.add(Dense(16))
    image_model.add(RepeatVector(CAPTION_LEN))
    language_model = Sequential()
    language_model.add(Embedding(vocab_size, 8, input_length=CAPTION_LEN))
    language_model.add(GRU(output_dim=16, return_sequences=True))
    language_model.add(TimeDistributed(Dense(16)))
    model = Sequential()
    model.add(Merge([image_model, language_model], mode='concat', concat_axis=-1))
    model.add(GRU(32, return_sequences=False))
    model.add(Dense(vocab_size))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    return model


def test_toy_pictures_and_captions_are_as_described():
    images, captions = _toy_pictures(40, np.random.default_rng(3))
    assert images.shape == (40, 1, 8, 8) and captions.shape == (40, 5)
    for image, caption in zip(images, captions):
        words = [WORDS[i] for i in caption]
        assert words[:2] == ['<start>', 'a'] and words[-1] == '<end>'
        columns = np.nonzero(image[0].any(axis=0))[0]
        assert (columns < 4).all() if words[3] == 'left' else (columns >= 4).all()
        expected_pixels = {'bar': 3, 'pole': 3, 'cross': 5, 'square': 8}[words[2]]
        assert image.sum() == expected_pixels
    x, partial, next_words = _next_word_pairs(images[:2], captions[:2])
    assert x.shape == (8, 1, 8, 8) and partial.shape == (8, 4) and next_words.shape == (8, len(WORDS))
    np.testing.assert_array_equal(partial[0], [0, 0, 0, INDEX['<start>']])       # first prefix, padded left
    np.testing.assert_array_equal(partial[6], captions[0, :4])                    # last prefix of picture 0
    assert next_words[6].argmax() == INDEX['<end>']


def test_scaled_down_captioner_learns_the_toy_task():
    teachnet.set_seed(0)
    images, captions = _toy_pictures(160, np.random.default_rng(0))
    x, partial_captions, next_words = _next_word_pairs(images, captions)
    model = _small_captioner(len(WORDS))
    assert model.output_shape == (None, len(WORDS))
    history = model.fit([x, partial_captions], next_words, batch_size=32, nb_epoch=8, verbose=0)
    loss = history.history['loss']
    assert loss[0] > 1.5                                   # about log(10) at the start
    assert loss[-1] < 0.5 * loss[0], f'the loss should fall, got {np.round(loss, 3)}'
    assert all(later < earlier for earlier, later in zip(loss, loss[1:])), np.round(loss, 3)
    # the easy words ('a' after '<start>', '<end>' after the side) need no picture: check they are learnt
    test_images, test_captions = _toy_pictures(40, np.random.default_rng(1))
    x, partial, words = _next_word_pairs(test_images, test_captions)
    predicted = model.predict([x, partial], verbose=0).argmax(axis=1)
    first, last = slice(0, 40), slice(120, 160)
    assert (predicted[first] == INDEX['a']).all() and (predicted[last] == INDEX['<end>']).all()
    assert np.mean(predicted == words.argmax(axis=1)) > 0.6
