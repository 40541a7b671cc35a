"""PacGAN packing as a harness feature.

The harness draws ``batch_size * pack`` real samples per discriminator step and gives the plugin
:func:`ganbench.api.pack` to fold them; the plugin only builds D for ``ctx.d_input_shape``. This
module checks that a plugin really did widen D (the conformance kit and the loop use it).
"""

from __future__ import annotations

from ganbench.contract import BuildContext, pack, pack_labels

__all__ = ["pack", "pack_labels", "real_per_step"]


def real_per_step(ctx: BuildContext, d_steps: int) -> int:
    """Real samples one generator step consumes: each of ``d_steps`` D updates sees
    ``batch_size`` packed inputs of ``pack`` samples."""
    return d_steps * ctx.batch_size * ctx.pack
