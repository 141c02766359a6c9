"""Image data for training: augmentation in real time, and standardisation.

A convnet that sees the same 50,000 pictures every epoch learns them by heart. Showing it
each picture slightly changed every time it comes round (turned a few degrees, shifted a
few pixels, mirrored) gives it, in effect, far more pictures for free: *data augmentation*.
``ImageDataGenerator`` describes the changes; ``flow(x, y)`` then serves endless batches
of freshly changed images, ready for ``model.fit_generator``:

    datagen = ImageDataGenerator(rotation_range=10, width_shift_range=0.1,
                                 height_shift_range=0.1, horizontal_flip=True)
    model.fit_generator(datagen.flow(x_train, y_train, batch_size=32),
                        samples_per_epoch=len(x_train), nb_epoch=10)

Each batch goes through two stages:

1. ``random_transform``: a random affine map per image (rotation, shift, shear, zoom; see
   ``teachnet.preprocessing.affine``, all images of a batch resampled at once), a random
   channel shift, random flips;
2. ``standardize``: x · rescale, then per-sample centring (x - mean(x)) and scaling
   (/ std(x)), then the dataset-wide ("featurewise") statistics learned by ``fit(x)``:
   x - μ_channel, / σ_channel, and ZCA whitening.

Images are channels first, (samples, channels, rows, cols), unless ``data_format`` (Keras
1: ``dim_ordering='tf'``) or the global setting says channels last.
"""
from teachnet.backend import array_module as am
from teachnet.backend.image_format import normalize_data_format
from teachnet.preprocessing import affine

np = am.host


class ImageDataGenerator(object):
    """Random changes and standardisation for batches of images.

    # Arguments
        featurewise_center: subtract the dataset's per-channel mean (learned by ``fit``).
        samplewise_center: subtract each image's own mean, so that every image has mean 0.
        featurewise_std_normalization: divide by the dataset's per-channel std (``fit``).
        samplewise_std_normalization: divide each image by its own std.
        zca_whitening: decorrelate the pixels with the ZCA matrix learned by ``fit``.
        rotation_range: degrees; each image turns by an angle drawn from U(-range, range).
        width_shift_range, height_shift_range: fractions of the width / height; each image
            moves by U(-range, range) · size pixels.
        shear_range: radians (as in Keras 1); shear angle drawn from U(-range, range).
        zoom_range: a float z for zooms drawn from U(1 - z, 1 + z), or a pair [low, high];
            rows and columns get independent factors.
        channel_shift_range: adds U(-range, range) to every channel of an image, clipped
            to the image's own minimum and maximum.
        fill_mode: 'nearest', 'constant', 'reflect' or 'wrap': what fills the places that
            come from outside the image.
        cval: the value used by fill_mode='constant'.
        horizontal_flip, vertical_flip: mirror half of the images, left-right / up-down.
        rescale: a factor every value is multiplied by first (1. / 255 for uint8 pictures).
        dim_ordering / data_format: 'th' / 'channels_first' or 'tf' / 'channels_last'
            ('default' / None: the global setting, channels first unless changed).
        interpolation: 'nearest' (Keras 1's choice) or 'bilinear'.

    Two deliberate differences from Keras 1: rotations turn about the true centre of the
    image ((rows - 1) / 2, (cols - 1) / 2), so that 90 degrees is exactly ``np.rot90``; and
    ``samplewise_center`` / ``fit`` follow the documented meaning (the mean of the whole
    image; statistics of the data after ``rescale``, as ``standardize`` will see it).
    """

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, rotation_range=0., width_shift_range=0.,
                 height_shift_range=0., shear_range=0., zoom_range=0., channel_shift_range=0., fill_mode='nearest',
                 cval=0., horizontal_flip=False, vertical_flip=False, rescale=None, dim_ordering='default',
                 data_format=None, interpolation='nearest', zca_epsilon=1e-6):
        if fill_mode not in affine.FILL_MODES:
            raise ValueError(f"ImageDataGenerator: fill_mode must be one of {', '.join(affine.FILL_MODES)}, "
                             f"got {fill_mode!r}.")
        if interpolation not in ('nearest', 'bilinear'):
            raise ValueError(f"ImageDataGenerator: interpolation must be 'nearest' or 'bilinear', "
                             f"got {interpolation!r}.")
        self.data_format = normalize_data_format(data_format if data_format is not None else dim_ordering)
        self.featurewise_center, self.samplewise_center = featurewise_center, samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range, self.shear_range = rotation_range, shear_range
        self.width_shift_range, self.height_shift_range = width_shift_range, height_shift_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode, self.cval, self.interpolation = fill_mode, cval, interpolation
        self.horizontal_flip, self.vertical_flip, self.rescale = horizontal_flip, vertical_flip, rescale
        self.zoom_range = _zoom_bounds(zoom_range)
        self.mean = self.std = self.principal_components = None

    # ------------------------------------------------------------------ axes
    @property
    def channel_axis(self):
        """The channel axis of a batch: 1 (channels first) or 3 (channels last)."""
        return 1 if self.data_format == 'channels_first' else 3

    def _as_batch(self, x, what):
        x = np.asarray(x)
        if x.ndim != 4:
            layout = '(samples, channels, rows, cols)' if self.channel_axis == 1 else '(samples, rows, cols, channels)'
            raise ValueError(f"ImageDataGenerator.{what} expects a 4D array of images {layout}, got an array "
                             f"of shape {x.shape}.")
        return x

    def _channels_first(self, batch):
        return batch if self.channel_axis == 1 else np.moveaxis(batch, 3, 1)

    def _from_channels_first(self, batch):
        return batch if self.channel_axis == 1 else np.moveaxis(batch, 1, 3)

    # ------------------------------------------------------------------ random changes
    def random_parameters(self, count, rows, cols, rng=None):
        """Draw the changes for ``count`` images of rows x cols pixels: a dict of arrays
        (rotation in degrees, shifts in pixels, shear in radians, zooms, flips, channel shift)."""
        rng = rng if rng is not None else am.host_rng()

        def spread(limit):
            return rng.uniform(-limit, limit, count) if limit else np.zeros(count)

        low, high = self.zoom_range
        zooms = rng.uniform(low, high, (2, count)) if (low, high) != (1., 1.) else np.ones((2, count))
        return {'rotation': spread(self.rotation_range),
                'shift_rows': spread(self.height_shift_range) * rows,
                'shift_cols': spread(self.width_shift_range) * cols,
                'shear': spread(self.shear_range), 'zoom_rows': zooms[0], 'zoom_cols': zooms[1],
                'channel_shift': spread(self.channel_shift_range),
                'flip_horizontal': rng.random(count) < 0.5 if self.horizontal_flip else np.zeros(count, bool),
                'flip_vertical': rng.random(count) < 0.5 if self.vertical_flip else np.zeros(count, bool)}

    def apply_transform(self, x, parameters):
        """Apply given changes to a batch ``x``: the affine map (one per image, resampled all
        at once), then the channel shift, then the flips. Missing parameters mean no change."""
        batch = self._channels_first(self._as_batch(x, 'apply_transform')).astype(am.floatx())
        count, _, rows, cols = batch.shape
        get = parameters.get
        matrices = affine.affine_matrices(
            count, rotation=None if get('rotation') is None else np.deg2rad(get('rotation')),
            shift_rows=get('shift_rows'), shift_cols=get('shift_cols'), shear=get('shear'),
            zoom_rows=get('zoom_rows'), zoom_cols=get('zoom_cols'))
        if not np.allclose(matrices, np.eye(3)):
            batch = affine.warp(batch, affine.centred(matrices, rows, cols), self.fill_mode, self.cval,
                                order=0 if self.interpolation == 'nearest' else 1)
        shift = get('channel_shift')
        if shift is not None and np.any(shift):
            low = batch.min(axis=(1, 2, 3), keepdims=True)
            high = batch.max(axis=(1, 2, 3), keepdims=True)
            batch = np.clip(batch + np.asarray(shift).reshape(count, 1, 1, 1), low, high)
        for key, axis in (('flip_horizontal', 3), ('flip_vertical', 2)):
            flips = get(key)
            if flips is not None and np.any(flips):
                batch = np.where(np.asarray(flips, bool).reshape(count, 1, 1, 1), np.flip(batch, axis), batch)
        return self._from_channels_first(batch.astype(am.floatx(), copy=False))

    def random_transforms(self, x, rng=None):
        """A batch ``x`` with fresh random changes for every image."""
        batch = self._as_batch(x, 'random_transforms')
        rows, cols = (batch.shape[2:4] if self.channel_axis == 1 else batch.shape[1:3])
        return self.apply_transform(batch, self.random_parameters(len(batch), rows, cols, rng))

    def random_transform(self, x, seed=None):
        """One image (without the batch axis), randomly changed."""
        rng = np.random.default_rng(seed) if seed is not None else None
        return self.random_transforms(np.asarray(x)[None], rng)[0]

    # ------------------------------------------------------------------ standardisation
    def standardize(self, x):
        """Rescale, then centre and scale per sample, then per dataset (``fit``), then
        ZCA. ``x`` is one image or a batch; returns a new float array."""
        single = np.ndim(x) == 3
        batch = self._as_batch(np.asarray(x)[None] if single else x, 'standardize').astype(am.floatx())
        batch = self._standardize_batch(batch)
        return batch[0] if single else batch

    def _standardize_batch(self, batch, fitting=False):
        eps = am.epsilon()
        if self.rescale:
            batch = batch * self.rescale
        sample_axes = (1, 2, 3)
        if self.samplewise_center:
            batch = batch - batch.mean(axis=sample_axes, keepdims=True)
        if self.samplewise_std_normalization:
            batch = batch / (batch.std(axis=sample_axes, keepdims=True) + eps)
        if fitting:
            return batch
        for flag, value, name in ((self.featurewise_center, self.mean, 'featurewise_center'),
                                  (self.featurewise_std_normalization, self.std, 'featurewise_std_normalization'),
                                  (self.zca_whitening, self.principal_components, 'zca_whitening')):
            if flag and value is None:
                raise ValueError(f"This ImageDataGenerator has {name}=True but has not been fit on any data: "
                                 "call datagen.fit(x_train) first.")
        if self.featurewise_center:
            batch = batch - self.mean
        if self.featurewise_std_normalization:
            batch = batch / (self.std + eps)
        if self.zca_whitening:
            flat = batch.reshape(len(batch), -1) @ self.principal_components
            batch = flat.reshape(batch.shape)
        return batch.astype(am.floatx(), copy=False)

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Learn the dataset statistics that featurewise_center, featurewise_std_normalization
        and zca_whitening use: μ_c and σ_c of every channel c over all images and pixels,
        and the ZCA matrix W = U · diag(1 / sqrt(λ + ε)) · Uᵀ from the eigenvectors U and
        eigenvalues λ of the pixel covariance Σ = XᵀX / n.

        # Arguments
            x: the training images, 4D.
            augment: fit on ``rounds`` randomly changed copies of ``x`` instead.
            seed: the seed of those random changes.
        """
        batch = self._as_batch(x, 'fit').astype('float64')
        if augment:
            rng = np.random.default_rng(seed)
            batch = np.concatenate([self.random_transforms(batch, rng) for _ in range(int(rounds))]).astype('float64')
        batch = self._standardize_batch(batch, fitting=True)
        axes = tuple(a for a in (0, 1, 2, 3) if a != self.channel_axis)
        if self.featurewise_center:
            self.mean = batch.mean(axis=axes, keepdims=True).astype(am.floatx())
            batch = batch - self.mean
        if self.featurewise_std_normalization:
            self.std = batch.std(axis=axes, keepdims=True).astype(am.floatx())
            batch = batch / (self.std + am.epsilon())
        if self.zca_whitening:
            flat = batch.reshape(len(batch), -1)
            eigenvalues, eigenvectors = np.linalg.eigh(flat.T @ flat / len(flat))
            scale = 1. / np.sqrt(np.clip(eigenvalues, 0, None) + self.zca_epsilon)
            self.principal_components = ((eigenvectors * scale) @ eigenvectors.T).astype(am.floatx())

    # ------------------------------------------------------------------ batches
    def flow(self, x, y=None, batch_size=32, shuffle=True, seed=None):
        """An endless iterator of (x_batch, y_batch) (x_batch alone when y is None), each
        batch randomly changed and standardised. ``seed`` fixes the order and the changes."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, seed=seed)


class NumpyArrayIterator(object):
    """Serves batches of (x, y) forever, epoch after epoch, reshuffling at each epoch start.

    ``len(iterator)`` is the number of batches in one epoch, ceil(n / batch_size); the last
    batch of an epoch holds the remaining n mod batch_size samples when that is not 0.
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=True, seed=None):
        self.x = image_data_generator._as_batch(x, 'flow')
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(self.x):
                raise ValueError(f"ImageDataGenerator.flow: x and y must have the same number of samples, got "
                                 f"{len(self.x)} images and {len(y)} targets.")
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"ImageDataGenerator.flow: batch_size must be a positive integer, got {batch_size!r}.")
        self.y, self.generator = y, image_data_generator
        self.n, self.batch_size, self.shuffle, self.seed = len(self.x), int(batch_size), shuffle, seed
        self.rng = np.random.default_rng(seed if seed is not None else int(am.host_rng().integers(2 ** 31)))
        self.batch_index = 0
        self.total_batches_seen = 0
        self.order = None

    def reset(self):
        """Start a new epoch at the next batch."""
        self.batch_index = 0

    def __len__(self):
        return -(-self.n // self.batch_size)

    def __iter__(self):
        return self

    def __next__(self):
        if self.batch_index == 0:
            self.order = self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        start = self.batch_index * self.batch_size
        ids = self.order[start:start + self.batch_size]
        self.batch_index = self.batch_index + 1 if start + self.batch_size < self.n else 0
        self.total_batches_seen += 1
        x_batch = self.generator.random_transforms(self.x[ids], self.rng)
        x_batch = self.generator._standardize_batch(x_batch)
        return x_batch if self.y is None else (x_batch, self.y[ids])

    next = __next__


def _zoom_bounds(zoom_range):
    if isinstance(zoom_range, (int, float)) and not isinstance(zoom_range, bool):
        return 1. - zoom_range, 1. + zoom_range
    if isinstance(zoom_range, (list, tuple)) and len(zoom_range) == 2:
        return float(zoom_range[0]), float(zoom_range[1])
    raise ValueError(f"ImageDataGenerator: zoom_range must be a float or a pair [low, high], got {zoom_range!r}.")
