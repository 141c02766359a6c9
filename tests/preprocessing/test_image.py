"""ImageDataGenerator against references written here, one image at a time, in plain NumPy."""
import numpy as np
import pytest

from teachnet.preprocessing.image import ImageDataGenerator

pytestmark = pytest.mark.backend_independent


def images(count=3, channels=2, rows=6, cols=6, seed=0):
    return np.random.default_rng(seed).random((count, channels, rows, cols)).astype('float32')


def params(count, **values):
    return {key: np.full(count, value) for key, value in values.items()}


def shifted(image, rows, cols, fill):
    """A (channels, rows, cols) image moved by whole pixels (content moves by -rows, -cols),
    the places that come from outside filled with ``fill``."""
    out = np.full_like(image, fill)
    height, width = image.shape[1:]
    for r in range(height):
        for c in range(width):
            if 0 <= r + rows < height and 0 <= c + cols < width:
                out[:, r, c] = image[:, r + rows, c + cols]
    return out


def nearest_reference(image, matrix, fill_mode, cval):
    """Per-pixel inverse mapping with nearest neighbour, written as loops."""
    channels, height, width = image.shape
    out = np.empty_like(image)
    for r in range(height):
        for c in range(width):
            src_r, src_c, _ = matrix @ np.array([r, c, 1.])
            i, j = int(np.floor(src_r + 0.5)), int(np.floor(src_c + 0.5))
            inside = 0 <= i < height and 0 <= j < width
            if fill_mode == 'constant' and not inside:
                out[:, r, c] = cval
                continue
            if fill_mode == 'wrap':
                i, j = i % height, j % width
            elif fill_mode == 'reflect':
                i = i % (2 * height); i = 2 * height - 1 - i if i >= height else i
                j = j % (2 * width); j = 2 * width - 1 - j if j >= width else j
            else:
                i, j = min(max(i, 0), height - 1), min(max(j, 0), width - 1)
            out[:, r, c] = image[:, i, j]
    return out


def test_flips_are_exact_mirrors():
    x = images()
    gen = ImageDataGenerator()
    flips = np.array([True, False, True])
    out = gen.apply_transform(x, {'flip_horizontal': flips})
    for k in range(3):
        expected = x[k][:, :, ::-1] if flips[k] else x[k]
        np.testing.assert_array_equal(out[k], expected)
    out = gen.apply_transform(x, {'flip_vertical': flips})
    np.testing.assert_array_equal(out[0], x[0][:, ::-1, :])
    np.testing.assert_array_equal(out[1], x[1])


@pytest.mark.parametrize('interpolation', ['nearest', 'bilinear'])
def test_rotation_by_90_degrees_is_rot90(interpolation):
    x = images(rows=7, cols=7)
    out = ImageDataGenerator(interpolation=interpolation).apply_transform(x, params(3, rotation=90.))
    for k in range(3):
        np.testing.assert_allclose(out[k], np.rot90(x[k], -1, axes=(1, 2)), atol=1e-5)


@pytest.mark.parametrize('fill_mode, cval', [('constant', -1.), ('nearest', 0.)])
def test_whole_pixel_shifts(fill_mode, cval):
    x = images()
    gen = ImageDataGenerator(fill_mode=fill_mode, cval=cval)
    out = gen.apply_transform(x, {'shift_rows': np.array([2., -1., 0.]), 'shift_cols': np.array([0., 3., -2.])})
    if fill_mode == 'constant':
        for k, (dr, dc) in enumerate([(2, 0), (-1, 3), (0, -2)]):
            np.testing.assert_array_equal(out[k], shifted(x[k], dr, dc, cval))
    else:   # the edge repeats: row 5 and 4 are copies of the last row
        np.testing.assert_array_equal(out[0][:, :4], x[0][:, 2:])
        np.testing.assert_array_equal(out[0][:, 4], x[0][:, 5])
        np.testing.assert_array_equal(out[0][:, 5], x[0][:, 5])


@pytest.mark.parametrize('fill_mode', ['nearest', 'constant', 'reflect', 'wrap'])
def test_general_affine_map_matches_a_pixel_loop(fill_mode):
    x = images(count=2, rows=5, cols=7)
    gen = ImageDataGenerator(fill_mode=fill_mode, cval=0.5)
    p = {'rotation': np.array([23., -71.]), 'shift_rows': np.array([1.3, -2.2]),
         'shift_cols': np.array([0.4, 2.7]), 'shear': np.array([0.3, -0.2]),
         'zoom_rows': np.array([1.3, 0.7]), 'zoom_cols': np.array([0.8, 1.2])}
    out = gen.apply_transform(x, p)
    for k in range(2):
        t, s = np.deg2rad(p['rotation'][k]), p['shear'][k]
        rotate = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
        shift = np.array([[1, 0, p['shift_rows'][k]], [0, 1, p['shift_cols'][k]], [0, 0, 1]])
        shear = np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
        zoom = np.diag([p['zoom_rows'][k], p['zoom_cols'][k], 1.])
        centre = np.array([[1, 0, 2.], [0, 1, 3.], [0, 0, 1]])
        matrix = centre @ rotate @ shift @ shear @ zoom @ np.linalg.inv(centre)
        np.testing.assert_array_equal(out[k], nearest_reference(x[k], matrix, fill_mode, 0.5))


def test_bilinear_half_pixel_shift_averages_neighbours():
    x = images(count=1)
    out = ImageDataGenerator(interpolation='bilinear').apply_transform(x, params(1, shift_cols=0.5))
    np.testing.assert_allclose(out[0][:, :, :-1], (x[0][:, :, :-1] + x[0][:, :, 1:]) / 2, rtol=1e-5)


def test_channels_last_gives_the_same_images():
    x = images()
    p = {'rotation': np.array([10., 20., 30.]), 'flip_horizontal': np.array([True, False, True])}
    first = ImageDataGenerator().apply_transform(x, p)
    last = ImageDataGenerator(dim_ordering='tf').apply_transform(x.transpose(0, 2, 3, 1), p)
    np.testing.assert_array_equal(last, first.transpose(0, 2, 3, 1))


def test_channel_shift_adds_and_clips_to_the_image_range():
    x = images(count=2)
    out = ImageDataGenerator().apply_transform(x, {'channel_shift': np.array([0.25, -0.25])})
    for k, shift in enumerate([0.25, -0.25]):
        np.testing.assert_allclose(out[k], np.clip(x[k] + shift, x[k].min(), x[k].max()), rtol=1e-6)


def test_random_parameters_stay_in_their_ranges():
    gen = ImageDataGenerator(rotation_range=20, width_shift_range=0.1, height_shift_range=0.2,
                             zoom_range=[0.9, 1.2], shear_range=0.3, horizontal_flip=True)
    p = gen.random_parameters(2000, rows=10, cols=30, rng=np.random.default_rng(0))
    assert np.abs(p['rotation']).max() <= 20 and np.abs(p['rotation']).max() > 15
    assert np.abs(p['shift_rows']).max() <= 2 and np.abs(p['shift_cols']).max() <= 3
    assert 0.9 <= p['zoom_rows'].min() and p['zoom_cols'].max() <= 1.2
    assert not np.array_equal(p['zoom_rows'], p['zoom_cols'])
    assert 0.4 < p['flip_horizontal'].mean() < 0.6 and not p['flip_vertical'].any()


def test_rescale_and_samplewise_standardisation():
    x = images() * 255
    out = ImageDataGenerator(rescale=1. / 255, samplewise_center=True,
                             samplewise_std_normalization=True).standardize(x)
    for k in range(3):
        scaled = x[k] / 255
        np.testing.assert_allclose(out[k], (scaled - scaled.mean()) / (scaled.std() + 1e-7), rtol=1e-4, atol=1e-5)
    single = ImageDataGenerator(rescale=0.5).standardize(x[0])
    np.testing.assert_allclose(single, x[0] * 0.5)


@pytest.mark.parametrize('dim_ordering', ['th', 'tf'])
def test_featurewise_statistics_after_fit(dim_ordering):
    x = images(count=20, channels=3) * np.array([1., 5., 10.]).reshape(1, 3, 1, 1) + 2
    if dim_ordering == 'tf':
        x = x.transpose(0, 2, 3, 1)
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, dim_ordering=dim_ordering)
    gen.fit(x)
    out = gen.standardize(x)
    axes = (0, 2, 3) if dim_ordering == 'th' else (0, 1, 2)
    np.testing.assert_allclose(out.mean(axis=axes), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=axes), 1, atol=1e-4)


def test_zca_whitening_decorrelates():
    rng = np.random.default_rng(0)
    mixing = rng.random((8, 8))
    x = (rng.standard_normal((500, 8)) @ mixing).reshape(500, 2, 2, 2)
    gen = ImageDataGenerator(featurewise_center=True, zca_whitening=True)
    gen.fit(x)
    flat = gen.standardize(x).reshape(500, -1).astype('float64')
    np.testing.assert_allclose(flat.T @ flat / 500, np.eye(8), atol=1e-3)


def test_featurewise_without_fit_is_a_clear_error():
    with pytest.raises(ValueError, match='fit'):
        ImageDataGenerator(featurewise_center=True).standardize(images())


def test_flow_serves_every_sample_once_per_epoch_then_loops():
    x = np.arange(10, dtype='float32').reshape(10, 1, 1, 1) * np.ones((1, 1, 2, 2), 'float32')
    y = np.arange(10)
    flow = ImageDataGenerator().flow(x, y, batch_size=4, seed=3)
    assert len(flow) == 3
    for _ in range(2):      # two epochs
        batches = [next(flow) for _ in range(3)]
        assert [len(b[1]) for b in batches] == [4, 4, 2]
        labels = np.concatenate([b[1] for b in batches])
        assert sorted(labels.tolist()) == list(range(10))
        for batch_x, batch_y in batches:
            np.testing.assert_array_equal(batch_x[:, 0, 0, 0], batch_y)
    assert next(flow)[0].dtype == np.float32


def test_flow_shuffle_and_seed():
    x, y = images(count=9), np.arange(9)
    gen = ImageDataGenerator(rotation_range=30)
    first = [next(gen.flow(x, y, batch_size=9, seed=5)) for _ in range(2)]
    np.testing.assert_array_equal(first[0][0], first[1][0])
    np.testing.assert_array_equal(first[0][1], first[1][1])
    assert not np.array_equal(first[0][1], np.arange(9))
    unshuffled = next(ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False))
    np.testing.assert_array_equal(unshuffled[1], [0, 1, 2, 3])
    np.testing.assert_array_equal(unshuffled[0], x[:4])
    alone = next(ImageDataGenerator().flow(x, batch_size=2, shuffle=False))
    np.testing.assert_array_equal(alone, x[:2])


def test_user_mistakes_are_clear():
    with pytest.raises(ValueError, match='4D'):
        ImageDataGenerator().flow(np.zeros((4, 8, 8)), np.zeros(4))
    with pytest.raises(ValueError, match='same number of samples'):
        ImageDataGenerator().flow(images(count=4), np.zeros(3))
    with pytest.raises(ValueError, match='fill_mode'):
        ImageDataGenerator(fill_mode='mirror')
    with pytest.raises(ValueError, match='zoom_range'):
        ImageDataGenerator(zoom_range=[0.5, 1, 2])
