"""Affine image transforms for a whole batch at once: rotation, shift, shear and zoom.

A pixel of an image sits at (row, col). An affine map moves points with a 2x2 matrix A
and a shift b; written with a third coordinate fixed at 1, one 3x3 matrix M does both:

    [r_in ]   [a11 a12 b1] [r_out]
    [c_in ] = [a21 a22 b2] [c_out]
    [  1  ]   [ 0   0   1] [  1  ]

Here M maps each pixel of the OUTPUT image back to the place in the INPUT image it is
read from ("inverse mapping"): every output pixel gets exactly one value, with no holes.
The place usually falls between pixels, so the value is interpolated from its
neighbours: the nearest pixel (order 0), or the four around it weighted by closeness
(order 1, bilinear). Places outside the input are filled as ``fill_mode`` says:

    'nearest'   aaaa|abcd|dddd     the edge pixel repeats
    'reflect'   dcba|abcd|dcba     the image mirrored about its edge
    'wrap'      abcd|abcd|abcd     the image repeats
    'constant'  kkkk|abcd|kkkk     the value cval (k)

The four building blocks (angles in radians; θ turns the image, s shears it):

    rotation R = [[cos θ, -sin θ, 0], [sin θ, cos θ, 0], [0, 0, 1]]
    shift    T = [[1, 0, t_r], [0, 1, t_c], [0, 0, 1]]
    shear    S = [[1, -sin s, 0], [0, cos s, 0], [0, 0, 1]]
    zoom     Z = [[z_r, 0, 0], [0, z_c, 0], [0, 0, 1]]

are multiplied, M = R·T·S·Z, and moved so that they act about the image's centre
c = ((rows - 1) / 2, (cols - 1) / 2):  M_centred = shift(c) · M · shift(-c).
So a zoom factor z > 1 reads a larger area of the input: the picture shrinks; a shift
t_r > 0 reads from further down: the picture moves up; a rotation θ > 0 turns the picture
clockwise as displayed (row 0 on top): θ = 90° gives exactly ``np.rot90(image, -1)``.

Every function takes n matrices (n, 3, 3) and n images and does the work for all of them
with array arithmetic: no loop over images or pixels.
"""
from teachnet.backend import array_module as am

np = am.host

FILL_MODES = ('nearest', 'reflect', 'wrap', 'constant')


def affine_matrices(count, rotation=None, shift_rows=None, shift_cols=None, shear=None,
                    zoom_rows=None, zoom_cols=None):
    """n = ``count`` matrices M = R·T·S·Z, one per image; each argument is an array of n
    values (radians for ``rotation`` and ``shear``, pixels for shifts) or None (no effect)."""
    def values(value, default):
        return np.full(count, default, dtype='float64') if value is None else np.asarray(value, 'float64')

    theta, shear = values(rotation, 0.), values(shear, 0.)
    identity = np.broadcast_to(np.eye(3), (count, 3, 3))
    rotate, shift, shear_m, zoom = (identity.copy() for _ in range(4))
    rotate[:, 0, 0], rotate[:, 0, 1] = np.cos(theta), -np.sin(theta)
    rotate[:, 1, 0], rotate[:, 1, 1] = np.sin(theta), np.cos(theta)
    shift[:, 0, 2], shift[:, 1, 2] = values(shift_rows, 0.), values(shift_cols, 0.)
    shear_m[:, 0, 1], shear_m[:, 1, 1] = -np.sin(shear), np.cos(shear)
    zoom[:, 0, 0], zoom[:, 1, 1] = values(zoom_rows, 1.), values(zoom_cols, 1.)
    return rotate @ shift @ shear_m @ zoom


def centred(matrices, rows, cols):
    """The same maps acting about the image centre: shift(c) · M · shift(-c)."""
    to_centre, back = np.eye(3), np.eye(3)
    to_centre[:2, 2] = (rows - 1) / 2., (cols - 1) / 2.
    back[:2, 2] = -to_centre[:2, 2]
    return to_centre @ matrices @ back


def fold_indices(index, size, fill_mode):
    """Integer positions (any, even outside 0..size-1) -> valid positions per ``fill_mode``,
    and a mask of the positions that were inside (used by 'constant')."""
    inside = (index >= 0) & (index < size)
    if fill_mode == 'wrap':
        return np.mod(index, size), inside
    if fill_mode == 'reflect':
        folded = np.mod(index, 2 * size)             # period 2·size: abcd dcba abcd ...
        return np.where(folded >= size, 2 * size - 1 - folded, folded), inside
    return np.clip(index, 0, size - 1), inside      # 'nearest', and 'constant' before masking


def _gather(flat, rows_index, cols_index, cols, fill_mode, cval, row_count):
    """flat: (n, C, rows·cols); integer positions (n, P) -> values (n, C, P)."""
    r, r_inside = fold_indices(rows_index, row_count, fill_mode)
    c, c_inside = fold_indices(cols_index, cols, fill_mode)
    values = np.take_along_axis(flat, (r * cols + c)[:, None, :], axis=2)
    if fill_mode == 'constant':
        values = np.where((r_inside & c_inside)[:, None, :], values, cval)
    return values


def warp(images, matrices, fill_mode='nearest', cval=0., order=0):
    """Resample channels-first ``images`` (n, C, rows, cols) through ``matrices`` (n, 3, 3).

    output[k, :, r, c] = input[k, :, M_k·(r, c, 1)], interpolated with ``order`` 0 (nearest)
    or 1 (bilinear) and filled outside as ``fill_mode`` says.
    """
    if fill_mode not in FILL_MODES:
        raise ValueError(f"fill_mode must be one of {', '.join(FILL_MODES)}, got {fill_mode!r}.")
    if order not in (0, 1):
        raise ValueError(f"interpolation order must be 0 (nearest) or 1 (bilinear), got {order!r}.")
    count, channels, rows, cols = images.shape
    grid_r, grid_c = np.meshgrid(np.arange(rows), np.arange(cols), indexing='ij')
    grid = np.stack([grid_r.ravel(), grid_c.ravel(), np.ones(rows * cols)])          # (3, P)
    source = np.asarray(matrices, 'float64')[:, :2, :] @ grid                         # (n, 2, P)
    source_r, source_c = source[:, 0], source[:, 1]
    flat = images.reshape(count, channels, rows * cols)
    if order == 0:
        nearest_r = np.floor(source_r + 0.5).astype('int64')
        nearest_c = np.floor(source_c + 0.5).astype('int64')
        result = _gather(flat, nearest_r, nearest_c, cols, fill_mode, cval, rows)
    else:
        top, left = np.floor(source_r), np.floor(source_c)
        down, right = (source_r - top)[:, None, :], (source_c - left)[:, None, :]
        top, left = top.astype('int64'), left.astype('int64')
        result = ((1 - down) * (1 - right) * _gather(flat, top, left, cols, fill_mode, cval, rows)
                  + (1 - down) * right * _gather(flat, top, left + 1, cols, fill_mode, cval, rows)
                  + down * (1 - right) * _gather(flat, top + 1, left, cols, fill_mode, cval, rows)
                  + down * right * _gather(flat, top + 1, left + 1, cols, fill_mode, cval, rows))
    return result.reshape(images.shape).astype(images.dtype, copy=False)
