"""ProGAN's image metrics (Karras et al. 2018): multi-scale SWD and MS-SSIM, as a ganbench plugin."""

__version__ = "0.1.0"
