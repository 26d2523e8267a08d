#!/usr/bin/env python3
"""The first process of a finetune-bot training pod on Kubernetes (src/providers/kubernetes/).

    python3 pod_bootstrap.py INPUT_DIR JOB_DIR

INPUT_DIR is the job's Secret, mounted read-only: spec.json, train.jsonl.gz and trainer.json.gz
(the trainer's files as {path: base64}, gzip'd). It makes JOB_DIR (an emptyDir) a job folder as on
an SSH host -- spec.json, train.jsonl, the trainer in .trainer/ -- and runs train_lora.py there.

The trainer prints its events on stdout, one JSON object per line, the same lines as events.jsonl;
the container log is what the bot reads. The trainer's stderr (library warnings, progress bars)
goes to JOB_DIR/stderr.log instead, so nothing but events sits between events; when the trainer
fails, its last lines are copied to the log after the events. SIGTERM (the Job deleted, its
deadline reached) is passed on: the trainer saves the adapter trained so far and ends with an
`error` event of reason `cancelled`. The exit status is the trainer's (0, 1, 3; 128+N for a
signal). Only the standard library: it runs before anything is known about the image.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, timezone

STDERR_LINES = 40


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def unpack(src: str, job: str) -> str:
    """The job folder from the Secret; the trainer's entry point."""
    os.makedirs(job, exist_ok=True)
    trainer = os.path.join(job, ".trainer")
    with gzip.open(os.path.join(src, "trainer.json.gz"), "rb") as f:
        files = json.loads(f.read().decode("utf-8"))
    for rel, data in files.items():
        path = os.path.normpath(os.path.join(trainer, rel))
        if not path.startswith(trainer + os.sep):
            raise ValueError(f"refusing a trainer file outside the folder: {rel!r}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))
    dataset = os.path.join(job, "train.jsonl")
    if not os.path.exists(dataset):
        tmp = dataset + ".tmp"
        with gzip.open(os.path.join(src, "train.jsonl.gz"), "rb") as f, open(tmp, "wb") as out:
            shutil.copyfileobj(f, out, 1 << 20)
        os.replace(tmp, dataset)
    shutil.copyfile(os.path.join(src, "spec.json"), os.path.join(job, "spec.json"))
    return os.path.join(trainer, "train_lora.py")


def say_error(message: str) -> None:
    """An `error` event in the protocol's shape, for a job that never reached the trainer."""
    event = {
        "type": "error", "seq": 1, "time": now(), "reason": "unknown", "message": message,
        "hint": "Check GPU_K8S_IMAGE (it needs python3) and the job's Secret; the pod's log has the details.",
        "traceback": [], "exception": None, "step": None, "adapter_path": None, "adapter_bytes": None,
        "gpu_seconds": 0, "missing": [], "fields": [],
    }
    sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def tail(path: str, lines: int) -> list:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            return f.read().decode("utf-8", "replace").splitlines()[-lines:]
    except OSError:
        return []


def main(argv: list) -> int:
    if len(argv) != 2:
        print("usage: pod_bootstrap.py INPUT_DIR JOB_DIR", file=sys.stderr)
        return 2
    src, job = argv
    try:
        entry = unpack(src, job)
    except Exception as e:  # noqa: BLE001 - whatever it was, the bot must hear it as an event
        say_error(f"The pod could not set up the job folder: {type(e).__name__}: {e}")
        return 1
    stderr_path = os.path.join(job, "stderr.log")
    children = []
    asked = []

    def forward(signum, _frame):
        asked.append(signum)
        for child in children:
            try:
                child.send_signal(signum)
            except OSError:
                pass

    # Before the trainer starts: a signal in between must reach it too, not be lost (as PID 1, a
    # signal without a handler is ignored).
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    with open(stderr_path, "ab") as stderr:
        children.append(subprocess.Popen([sys.executable, entry, job], cwd=job, stderr=stderr))
        if asked:
            children[0].send_signal(asked[0])
        code = children[0].wait()
    if code != 0:
        for line in tail(stderr_path, STDERR_LINES):
            print(f"trainer stderr: {line}", file=sys.stderr)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
