"""One training run in a job folder: the order of the checks, and turning every ending into exactly
one final event. Torch-free; the torch part (training.py) is imported only once the packages are
known to be there, so a host without them gets a plain `missing_package` event, not a traceback."""

from __future__ import annotations

import os
import sys
import time
from typing import Optional

from . import data, preflight
from .check import load_raw
from .errors import Cancelled, TrainerFailure, error_fields
from .events import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EventLog
from .guards import CancelFlag
from .spec import SpecError, resolve_paths, validate


class RunState:
    """What the final event needs to know, whichever way the run ends."""

    def __init__(self) -> None:
        self.step: Optional[int] = None
        self.adapter_path: Optional[str] = None
        self.adapter_bytes: Optional[int] = None
        self.stopping = False
        self._gpu_start: Optional[float] = None
        self._gpu_count = 0

    def gpu_started(self, count: int = 1) -> None:
        # Billing starts when the trainer takes the GPU, not when the process starts: the checks
        # before that need none.
        if self._gpu_start is None:
            self._gpu_start = time.monotonic()
            self._gpu_count = count

    def gpu_seconds(self) -> float:
        if self._gpu_start is None:
            return 0.0
        return round((time.monotonic() - self._gpu_start) * self._gpu_count, 3)


def load_spec(spec_path: str, job_dir: str) -> dict:
    try:
        raw = load_raw(spec_path)
    except FileNotFoundError:
        raise TrainerFailure("bad_spec", f"There is no spec at {spec_path}.") from None
    except (OSError, ValueError) as e:
        raise TrainerFailure("bad_spec", f"{spec_path} is not readable JSON: {e}.") from None
    try:
        return resolve_paths(validate(raw), job_dir)
    except SpecError as e:
        raise TrainerFailure("bad_spec", f"spec.json has {len(e.fields)} bad field(s): {e}.", fields=e.fields) from None


def run(job_dir: str, spec_path: str, log: EventLog, cancel: CancelFlag, state: RunState) -> int:
    """Runs the job and returns its exit status; every way out has emitted exactly one final event."""
    try:
        log.emit("preparing", phase="checking", message="Checking the spec, the data and the host.")
        spec = load_spec(spec_path, job_dir)
        if cancel.requested():
            raise TrainerFailure("cancelled", "Cancelled before training started; nothing was trained.")
        dataset = data.read_file(spec["dataset"])
        py = preflight.python_report()
        if not py["ok"]:
            raise TrainerFailure("missing_package", f"Python {py['version']} is too old for the trainer (needs {py['required']}).",
                                 "Point the host's python at a newer interpreter.", missing=["python"])
        failure = preflight.missing_failure(preflight.package_report(spec["method"]))
        if failure:
            raise failure
        # The model and the disk before the GPU: a gated repo or a full disk costs no GPU time.
        model = preflight.model_report(spec)
        failure = preflight.model_failure(model, spec["base_model"])
        failure = failure or preflight.disk_failure(preflight.disk_report(spec, model))
        if failure:
            raise failure
        from . import training  # noqa: PLC0415 - needs torch, present by now

        training.train(spec, dataset, log, cancel, state, model)
        return EXIT_OK
    except BaseException as e:  # noqa: BLE001 - every ending becomes an event
        state.stopping = True  # a SIGTERM now must not cut the final event short
        fields = error_fields(e)
        if not isinstance(e, (TrainerFailure, Cancelled, KeyboardInterrupt)):
            # The whole traceback for the log; the event carries only its tail.
            import traceback  # noqa: PLC0415

            traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)
        log.emit(
            "error",
            reason=fields["reason"],
            message=fields["message"],
            hint=fields["hint"],
            traceback=fields["traceback"],
            exception=fields["exception"],
            step=state.step,
            adapter_path=state.adapter_path,
            adapter_bytes=state.adapter_bytes,
            gpu_seconds=state.gpu_seconds(),
            missing=fields.get("missing", []),
            fields=fields.get("fields", []),
        )
        return EXIT_CANCELLED if fields["reason"] == "cancelled" else EXIT_FAILED


def job_paths(target: str) -> tuple:
    """(job folder, spec path) from either the spec file or the folder that holds it."""
    target = os.path.abspath(target)
    if os.path.isdir(target):
        return target, os.path.join(target, "spec.json")
    return os.path.dirname(target), target
