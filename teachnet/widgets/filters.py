"""A convolution's filters as pictures, one input channel at a time or as colours.

Filter k of a convolution that reads C input channels is a stack of C small kernels
W[k, c] (rows × cols), one per input channel, and its feature map is the sum

    y_k = Σ_c W[k, c] ⋆ x_c + b_k

Two pictures of the filters teach that sum:

* **one input channel c** (``channel_grid``): W[k, c] for every filter k, positive
  weights red, negative blue, zero white, all on one scale so that strong and weak
  filters compare. It is exactly the kernel that slides over map c of the layer's input:
  next to that map it is the term W[k, c] ⋆ x_c. A single picture per filter, such as
  the norm over channels, would hide the signs, and a filter is a pattern of what to add
  (red) and what to subtract (blue); picking the channel keeps them and shows that
  every filter has C kernels.
* **three input channels as colours** (``rgb_grid``): W[k, 0], W[k, 1], W[k, 2] drawn
  as the red, green and blue of one picture, grey where a weight is zero. When the three
  channels are a colour image (a first layer), it shows the colour and the edge each
  filter looks for, the classic picture of what a first layer learns. Deeper in the
  network the channels are feature maps, not colours: pick a channel there.
"""
import numpy as np

from teachnet.widgets.drawing import MAX_MAPS, heatmap_png, image_grid, rgb_png

RGB = 'rgb'


def _common_bound(kernels):
    bound = float(np.max(np.abs(kernels))) if np.size(kernels) else 0.0
    return bound if np.isfinite(bound) and bound > 0 else 1.0


def channel_grid(kernels, channel):
    """W[k, channel] of the first ``MAX_MAPS`` filters tiled (gaps of 0), and the common
    bound m of the colour scale [-m, m]; ``kernels`` is (filters, channels, *kernel size)."""
    shown = kernels[:MAX_MAPS, channel]
    shown = [k if k.ndim == 2 else k[None, :] for k in shown]          # a 1-D kernel as a row
    return image_grid(shown, own_scale=False, blank=0.0), _common_bound(kernels[:MAX_MAPS, channel])


def rgb_grid(kernels):
    """The first ``MAX_MAPS`` filters of a 3-channel convolution as colours in [0, 1]:
    0.5 + 0.5·W[k, c] / m for channel c = red, green, blue (m: the largest |weight|), tiled."""
    shown = kernels[:MAX_MAPS]
    colours = 0.5 + 0.5 * np.moveaxis(shown, 1, -1) / _common_bound(shown)
    return image_grid(list(colours), own_scale=False, blank=1.0)


def filters_png(kernels, view):
    """The PNG of the filters seen as ``view``: an input channel's index, or ``RGB``."""
    if view == RGB:
        return rgb_png(rgb_grid(kernels))
    grid, bound = channel_grid(kernels, view)
    return heatmap_png(grid, cmap='RdBu_r', vmin=-bound, vmax=bound)


def filter_views(kernels):
    """The choices of a channel picker, as (label, view): RGB first for 2-D filters with
    three input channels, then every input channel."""
    channels = kernels.shape[1]
    views = [(f'input channel {c}', c) for c in range(channels)]
    colours = channels == 3 and kernels.ndim == 4
    return ([('RGB: channels 0, 1, 2', RGB)] if colours else []) + views
