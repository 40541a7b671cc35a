"""StyleGAN-style, small (Karras et al. 2019/2020): mapping net, constant input, noise, modulated convs, style mixing."""

__version__ = "0.3.1"
