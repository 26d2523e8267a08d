"""The events protocol between the trainer and the bot. The bot's GPU adapter parses exactly this.

Files in the job folder (the folder that holds spec.json):

  events.jsonl  One JSON object per line, appended, UTF-8, each line ending in "\\n". A reader
                keeps the byte offset of the last "\\n" it consumed and reads on from there; bytes
                after the last "\\n" are a line still being written. A line that does not parse
                (only possible after a hard kill mid-write) is skipped. The same lines go to stdout.
  exit_code     The process's exit status as a decimal integer, written atomically (rename) as the
                very last act, whatever happened: 0 finished, 1 failed, 3 cancelled (2 is a bad
                command line, before any job folder is known). No exit_code and no live process
                means the trainer was killed (SIGKILL, OOM killer, reboot).
  cancel        Created by the bot to ask for a clean stop: the trainer stops at the next step,
                saves the adapter trained so far and ends with an `error` event of reason
                `cancelled`. SIGTERM does the same, sooner and without waiting for the step.

Every event has:
  type  "preparing" | "started" | "step" | "eval" | "checkpoint" | "finished" | "error"
  seq   integer, +1 per event, continuing across re-runs in the same folder
  time  ISO-8601 UTC with milliseconds, e.g. "2026-11-02T10:15:03.123Z"

Numbers that are NaN or +/-Infinity are written as null (JSON has no such numbers, and
JSON.parse rejects Python's bare NaN). Fields listed are always present (null when unknown);
a consumer ignores fields and event types it does not know. gpu_seconds is wall-clock time from
the moment the trainer took the GPU (0 when it never did) times the GPUs it used (one).
A run ends with exactly one `finished` or `error` event, then exit_code.

  preparing   phase ("checking" | "tokenizing" | "loading_model" | "saving"), message
  started     total_steps, examples, eval_examples, rows (sequences after packing), tokens (one
              epoch, non-pad), trainable_tokens (one epoch, in the loss), epochs, train_tokens
              (tokens x epochs), truncated, template_fallbacks (examples masked by finding the
              turn's text, for chat templates that rewrite earlier turns), skipped ({reason:
              count}: no_trainable_turn, no_trainable_token, ..._after_truncation), method, base_model,
              gpu_name, gpu_count, trainable_params, total_params, job_id
  step        step, total_steps, loss, learning_rate, epoch, grad_norm, tokens_per_second,
              tokens_seen, gpu_memory_bytes (allocated now), gpu_memory_peak_bytes, elapsed_s
  eval        step, epoch, eval_loss, metrics (every eval_* number, key as transformers names it)
  checkpoint  path, step
  finished    adapter_path, adapter_bytes (the adapter weights file), metrics {train_loss,
              eval_loss, steps, epochs, train_runtime_s, tokens_seen, tokens_per_second,
              gpu_memory_peak_bytes}, gpu_seconds
  error       reason (cuda_oom | nan_loss | gated_model | model_not_found | disk_full |
              missing_package | no_gpu | bad_data | bad_spec | cancelled | unknown), message (one
              plain sentence or two), hint (what to do), traceback (list of the last lines, [] when there was no exception), exception (type
              name or null), step (last completed step or null), adapter_path / adapter_bytes
              (what was kept, or null), gpu_seconds, missing (package names, for
              missing_package, else []), fields ([{field, message}], for bad_spec, else [])
"""

from __future__ import annotations

import json
import math
import os
from datetime import datetime, timezone
from typing import IO, Any, Optional

EVENT_TYPES = ("preparing", "started", "step", "eval", "checkpoint", "finished", "error")

# Exit statuses, as written to exit_code.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 3


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_safe(value: Any) -> Any:
    """Recursively turns a value into something json.dumps(allow_nan=False) accepts.

    Non-finite floats become None; tensors and numpy scalars (anything with .item()) become
    Python numbers first, so a callback can pass what transformers hands it.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return json_safe(item())
        except (TypeError, ValueError, RuntimeError):
            pass
    try:
        return json_safe(float(value))
    except (TypeError, ValueError):
        return str(value)


def encode(event: dict) -> str:
    return json.dumps(json_safe(event), allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def _last_seq(path: str) -> tuple[int, bool]:
    """The seq of the last complete event already in the file, and whether the file ends mid-line."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536))
            tail = f.read()
    except FileNotFoundError:
        return 0, False
    if not tail:
        return 0, False
    partial = not tail.endswith(b"\n")
    for raw in reversed(tail.split(b"\n")):
        try:
            seq = json.loads(raw.decode("utf-8")).get("seq")
        except (ValueError, UnicodeDecodeError, AttributeError):
            continue
        if isinstance(seq, int) and not isinstance(seq, bool):
            return seq, partial
    return 0, partial


class EventLog:
    """Appends events to events.jsonl and mirrors them to a text stream (stdout)."""

    def __init__(self, path: str, mirror: Optional[IO[str]] = None):
        self.path = path
        self.mirror = mirror
        # A re-run in the same folder continues the numbering, so seq stays monotonic for a reader
        # that kept its offset.
        self.seq, partial = _last_seq(path)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if partial:
            # Close the torn line so our first event starts on a line of its own.
            os.write(self._fd, b"\n")

    def emit(self, type_: str, **fields: Any) -> dict:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_!r}")
        self.seq += 1
        event = {"type": type_, "seq": self.seq, "time": utc_now(), **fields}
        line = encode(event) + "\n"
        # One write() of the whole line on an O_APPEND descriptor: a reader never sees half of
        # one event glued to another.
        os.write(self._fd, line.encode("utf-8"))
        if self.mirror is not None:
            try:
                self.mirror.write(line)
                self.mirror.flush()
            except (OSError, ValueError):
                # stdout gone (the SSH session that started us ended): the file is the record.
                self.mirror = None
        return json.loads(line)

    def close(self) -> None:
        try:
            os.close(self._fd)
        except OSError:
            pass


def write_exit_code(job_dir: str, code: int) -> None:
    """Written via a rename so the bot never reads an empty or half-written exit_code."""
    tmp, final, text = os.path.join(job_dir, ".exit_code.tmp"), os.path.join(job_dir, "exit_code"), f"{int(code)}\n"
    try:
        with open(tmp, "w", encoding="ascii") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    except OSError:
        # A full disk can refuse the temporary file; a few bytes written in place still tell the
        # bot how the run ended, which beats it reporting a kill.
        with open(final, "w", encoding="ascii") as f:
            f.write(text)
