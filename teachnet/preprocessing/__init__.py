"""Getting raw data ready for a model: images (augmentation, standardisation), text and sequences.

    from teachnet.preprocessing.image import ImageDataGenerator
    from teachnet.preprocessing.sequence import pad_sequences
    from teachnet.preprocessing.text import Tokenizer
"""
from teachnet.preprocessing import image, sequence, text  # noqa: F401
