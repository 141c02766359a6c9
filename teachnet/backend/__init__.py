"""The backend face: ``import teachnet.backend as K``.

What a Keras 1 user writes in a custom loss, metric or Lambda (``K.mean``, ``K.square``,
``K.clip``, ``K.epsilon()`` ...) plus the backend switch itself (``set_backend``,
``floatx``, ``to_numpy``). The functions are teachnet ops, hence differentiable.
"""
from teachnet.backend.array_module import (  # noqa: F401
    set_backend, get_backend, floatx, set_floatx, epsilon, set_epsilon,
    to_numpy, to_device, seed,
)
from teachnet.backend.image_format import (  # noqa: F401
    image_data_format, set_image_data_format, image_dim_ordering, set_image_dim_ordering)
from teachnet.backend.session import clear_session, get_uid  # noqa: F401
from teachnet.ops.functions import *  # noqa: F401,F403
