"""Failures reduced to one normalised reason and a hint a person can act on.

Classification goes by exception type names (along the MRO and the __cause__/__context__ chain)
and message text, never by importing torch or huggingface_hub: the same code then runs where they
are missing, and keeps working when a library moves an exception class to another module.
"""

from __future__ import annotations

import errno as _errno
import traceback as _traceback
from typing import Optional

REASONS = (
    "cuda_oom",
    "nan_loss",
    "gated_model",
    "model_not_found",
    "disk_full",
    "missing_package",
    "no_gpu",
    "bad_data",
    "bad_spec",
    "cancelled",
    "unknown",
)

HINTS = {
    "cuda_oom": (
        "Lower batch_size (raise gradient_accumulation to keep the effective batch), lower max_length, "
        "keep gradient_checkpointing on, or use method qlora. PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True "
        "helps when memory is fragmented."
    ),
    "nan_loss": (
        "The loss stopped being a number. Lower learning_rate (e.g. halve it), keep max_grad_norm at 1.0, "
        "and check the data for empty or garbled assistant turns. The last checkpoint before it is still on disk."
    ),
    "gated_model": (
        "Request access on the model's hub page, then log in on the GPU host with a token from an account "
        "that has it (`hf auth login`, or HF_TOKEN in the trainer's environment)."
    ),
    "model_not_found": (
        "Check the model id (owner/name, as on its hub page) or the path on the host. A private repo needs a "
        "token on the host; an offline host needs the model in its cache or on disk."
    ),
    "disk_full": (
        "Free space on the host (old job folders, the Hugging Face cache), lower save_total_limit, or point "
        "output_dir / HF_HOME at a bigger disk."
    ),
    "missing_package": "Install the trainer's packages on the host: pip install -r trainer/requirements.txt",
    "no_gpu": (
        "The trainer needs an NVIDIA GPU with bf16 (compute capability 8.0+: A100, H100, L4, L40, RTX 30xx or newer) "
        "and a working driver; check nvidia-smi on the host."
    ),
    "bad_data": "Run `finetune-bot validate` on the file and fix the lines it names.",
    "bad_spec": "The job settings are inconsistent; fix the fields named and start the job again.",
    "cancelled": "The job was cancelled; the adapter trained so far (if any) was kept.",
    "unknown": "See the traceback; the full log is in the job folder (stdout.log / stderr).",
}


class TrainerFailure(Exception):
    """A failure we recognised ourselves: it carries its reason, and extra event fields."""

    def __init__(self, reason: str, message: str, hint: Optional[str] = None, **extra):
        if reason not in REASONS:
            raise ValueError(f"unknown failure reason {reason!r}")
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.hint = hint or HINTS[reason]
        self.extra = extra


class Cancelled(BaseException):
    """Raised from the SIGTERM handler. A BaseException, so library code's `except Exception`
    blocks cannot swallow it."""


def _chain(exc: BaseException) -> list:
    seen, out = set(), []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        out.append(exc)
        exc = exc.__cause__ or exc.__context__
    return out


def _names(exc: BaseException) -> list:
    return [c.__name__ for c in type(exc).__mro__]


def _classify_one(exc: BaseException) -> Optional[str]:
    if isinstance(exc, TrainerFailure):
        return exc.reason
    if isinstance(exc, (Cancelled, KeyboardInterrupt)):
        return "cancelled"
    names = _names(exc)
    text = str(exc)
    low = text.lower()
    # Gated before not-found: huggingface_hub's GatedRepoError subclasses RepositoryNotFoundError.
    if "GatedRepoError" in names or "gated repo" in low or "is gated" in low or "awaiting a review" in low:
        return "gated_model"
    if "OutOfMemoryError" in names or "cuda out of memory" in low or "cublas_status_alloc_failed" in low or (
        "out of memory" in low and ("cuda" in low or "hip" in low or "gpu" in low)
    ):
        return "cuda_oom"
    err = getattr(exc, "errno", None)
    if err in (_errno.ENOSPC, getattr(_errno, "EDQUOT", -1)) or "no space left on device" in low or "os error 28" in low:
        return "disk_full"
    if isinstance(exc, ImportError) or "requires the following packages" in low or (
        "pip install" in low and ("requires" in low or "not installed" in low)
    ):
        return "missing_package"
    if (
        {"RepositoryNotFoundError", "RevisionNotFoundError", "EntryNotFoundError", "LocalEntryNotFoundError"} & set(names)
        or "is not a local folder and is not a valid model identifier" in low
        or "does not appear to have a file named config.json" in low
        or "repository not found" in low
    ):
        return "model_not_found"
    if (
        "no cuda gpus are available" in low
        or "found no nvidia driver" in low
        or "cuda driver version is insufficient" in low
        or "no kernel image is available" in low
        or "torch not compiled with cuda" in low
    ):
        return "no_gpu"
    return None


def classify(exc: BaseException) -> str:
    """The normalised reason for an exception; the first recognised link of its chain wins."""
    for link in _chain(exc):
        reason = _classify_one(link)
        if reason:
            return reason
    return "unknown"


def tail_lines(exc: BaseException, limit: int = 30) -> list:
    text = "".join(_traceback.format_exception(type(exc), exc, exc.__traceback__))
    return [line for line in text.splitlines() if line.strip()][-limit:]


def missing_package_name(exc: BaseException) -> Optional[str]:
    for link in _chain(exc):
        name = getattr(link, "name", None)
        if isinstance(link, ImportError) and isinstance(name, str) and name:
            return name.split(".")[0]
    return None


def error_fields(exc: BaseException, limit: int = 30) -> dict:
    """The reason-specific part of an `error` event for an exception."""
    reason = classify(exc)
    if isinstance(exc, TrainerFailure):
        message, hint, extra = exc.message, exc.hint, dict(exc.extra)
    else:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        message, hint, extra = first[:500], HINTS[reason], {}
        if reason == "missing_package":
            name = missing_package_name(exc)
            extra["missing"] = [name] if name else []
        if reason == "cancelled":
            message = "Stopped by a signal." if isinstance(exc, (Cancelled, KeyboardInterrupt)) else message
    own = isinstance(exc, (TrainerFailure, Cancelled, KeyboardInterrupt))
    return {
        "reason": reason,
        "message": message,
        "hint": hint,
        # Our own failures are plain statements: a traceback would only be noise to the reader.
        "traceback": [] if own else tail_lines(exc, limit),
        "exception": None if own else type(exc).__name__,
        **extra,
    }
