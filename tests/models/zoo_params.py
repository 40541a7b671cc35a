"""Tiny hyperparameters per zoo model, so every CPU test trains in well under a second per step."""

from __future__ import annotations

ZOO = ("lsgan", "wgan", "wgan-gp", "sngan", "cgan", "acgan", "sagan", "biggan", "stylegan")

TINY: dict[str, dict] = {
    "lsgan": {"z_dim": 8, "g_ch": 4, "d_ch": 4},
    "wgan": {"z_dim": 8, "g_ch": 4, "d_ch": 4, "n_dis": 2},
    "wgan-gp": {"z_dim": 8, "g_ch": 4, "d_ch": 4, "n_dis": 2},
    "sngan": {"z_dim": 8, "g_ch": 16, "d_ch": 16, "n_dis": 2},
    "cgan": {"z_dim": 8, "g_ch": 4, "d_ch": 4},
    "acgan": {"z_dim": 8, "g_ch": 4, "d_ch": 4},
    "sagan": {"z_dim": 8, "g_ch": 16, "d_ch": 16, "attn_res": 8},
    "biggan": {"z_dim": 12, "g_ch": 16, "d_ch": 16, "shared_dim": 8, "n_dis": 2},
    "stylegan": {"z_dim": 8, "w_dim": 8, "map_layers": 2, "g_ch": 8, "d_ch": 8},
}
