"""Text-to-image for ganbench: StackGAN (Zhang et al., ICCV 2017), a caption-conditioned GAN baseline,
captioned MNIST (alignDRAW, Mansimov et al. 2016) and the caption-fidelity metric."""

__version__ = "0.1.0"
