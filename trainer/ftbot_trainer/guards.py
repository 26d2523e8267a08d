"""The two reasons to stop a run early that the training loop polls each step: a loss gone
non-finite, and a cancel request from the bot."""

from __future__ import annotations

import math
import os
from typing import Any, Optional


def finite(value: Any) -> Optional[float]:
    """value as a float when it is a finite number, else None (None, NaN, inf, junk)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value.item() if hasattr(value, "item") else value)
    except (TypeError, ValueError, RuntimeError):
        return None
    return number if math.isfinite(number) else None


class NonFiniteCounter:
    """Counts logged steps whose loss (or gradient norm) is not a finite number, in a row.

    One bad step can be a fluke in bf16; k in a row means the run has diverged, and every further
    step burns GPU time on a model that no longer learns. A NaN gradient norm with a finite loss
    counts too: it is how a divergence usually shows first (`'loss': 0.0, 'grad_norm': nan`).
    """

    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.in_a_row = 0
        self.total = 0

    def observe(self, loss: Any, grad_norm: Any = None) -> bool:
        """Records one logged step; True when the run should stop."""
        bad = finite(loss) is None or (grad_norm is not None and finite(grad_norm) is None)
        if bad:
            self.in_a_row += 1
            self.total += 1
        else:
            self.in_a_row = 0
        return self.tripped

    @property
    def tripped(self) -> bool:
        return self.in_a_row >= self.limit


class CancelFlag:
    """The bot asks for a clean stop by creating <job>/cancel; a signal handler may ask too."""

    def __init__(self, job_dir: str):
        self.path = os.path.join(job_dir, "cancel")
        self._signalled: Optional[str] = None

    def signal(self, why: str) -> None:
        self._signalled = why

    def requested(self) -> bool:
        return self._signalled is not None or os.path.exists(self.path)

    def why(self) -> str:
        if self._signalled:
            return self._signalled
        return "the cancel flag file was found" if os.path.exists(self.path) else "not cancelled"
