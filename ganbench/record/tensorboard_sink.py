"""The first-party TensorBoard sink (``ganbench run --sink tensorboard``): one event file per run
under ``OUT/tensorboard/<run_id>/``, written with torch's own ``SummaryWriter`` (no account, no
server; ``tensorboard --logdir OUT/tensorboard``). Metrics and losses are scalars against
generator steps, the final samples an image grid (images) or a 2-D scatter figure (vectors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.sink import SinkContext, SinkEvent, SinkSpec
from ganbench.contract.versions import API_VERSION

MISSING = "--sink tensorboard needs the tensorboard package, an optional extra: pip install 'ganbench[tensorboard]'"


class TensorBoardSink:
    def __init__(self, ctx: SinkContext):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ImportError(MISSING) from None
        self._writer_cls = SummaryWriter
        self.root = Path(ctx.out_dir) / "tensorboard"
        self.writers: dict[str, Any] = {}
        self.last_step: dict[str, int] = {}

    def _writer(self, run_id: str) -> Any:
        if run_id not in self.writers:
            self.writers[run_id] = self._writer_cls(log_dir=str(self.root / run_id))
        return self.writers[run_id]

    def write(self, event: SinkEvent) -> None:
        if event.kind in ("metric", "loss") and event.value is not None and event.name:
            step = int(event.step or 0)
            self.last_step[event.run_id] = max(step, self.last_step.get(event.run_id, 0))
            self._writer(event.run_id).add_scalar(event.name, event.value, step)
        elif event.kind == "samples" and event.array is not None:
            w, step, x = self._writer(event.run_id), self.last_step.get(event.run_id, 0), event.array
            if x.ndim == 4:
                import torch
                from torchvision.utils import make_grid

                grid = make_grid((torch.from_numpy(x[:64]).clamp(-1, 1) + 1) / 2, nrow=8)
                w.add_image("samples", grid, step)
            elif x.ndim == 2 and x.shape[1] >= 2:
                import matplotlib

                matplotlib.use("Agg")
                import matplotlib.pyplot as plt

                fig, ax = plt.subplots(figsize=(4, 4))
                ax.scatter(x[:, 0], x[:, 1], s=2)
                w.add_figure("samples", fig, step)  # closes the figure
        elif event.kind == "status" and event.text in ("done", "failed"):
            w = self.writers.pop(event.run_id, None)
            if w is not None:
                w.close()

    def close(self) -> None:
        for w in self.writers.values():
            w.close()
        self.writers.clear()


@hookimpl
def ganbench_sinks() -> list[SinkSpec]:
    return [SinkSpec("tensorboard", TensorBoardSink, "TensorBoard event files under OUT/tensorboard/<run_id> "
                     "(torch.utils.tensorboard; pip install 'ganbench[tensorboard]')", version="1", api_version=API_VERSION)]


__all__ = ["TensorBoardSink", "ganbench_sinks"]
