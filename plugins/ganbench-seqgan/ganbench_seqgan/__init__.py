"""SeqGAN, the MLE baseline and a random generator for ganbench's token-sequence track."""

__version__ = "0.1.0"
