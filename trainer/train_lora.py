#!/usr/bin/env python3
"""LoRA / QLoRA fine-tuning of a chat model on the team's GPU host, run by finetune-bot.

    python3 train_lora.py JOB_DIR_OR_SPEC_JSON          train; events in JOB_DIR/events.jsonl
    python3 train_lora.py --check JOB_DIR_OR_SPEC_JSON  the pre-flight only: one JSON object on stdout

The event protocol is documented in ftbot_trainer/events.py, the spec in ftbot_trainer/spec.py,
the --check report in ftbot_trainer/check.py. Packages: pip install -r requirements.txt.
"""

from __future__ import annotations

import os
import signal
import sys

# Run as a script from anywhere (the bot copies this folder into the job's host): the package
# sits next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ftbot_trainer.events import EXIT_FAILED, EXIT_USAGE, EventLog, encode, write_exit_code  # noqa: E402

USAGE = "usage: train_lora.py [--check] JOB_DIR_OR_SPEC_JSON"


def _take_stdout():
    """A private stream on the real stdout for our JSON, with fd 1 pointed at stderr, so that
    whatever else prints (libraries, C extensions) cannot interleave with the JSON lines."""
    sys.stdout.flush()
    ours = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    return ours


def check(target: str) -> int:
    from ftbot_trainer.check import run_check  # noqa: PLC0415
    from ftbot_trainer.run import job_paths  # noqa: PLC0415

    out = _take_stdout()
    job_dir, spec_path = job_paths(target)
    try:
        report = run_check(spec_path, job_dir)
    except Exception as e:  # noqa: BLE001 - the caller still gets one JSON object
        import traceback  # noqa: PLC0415

        traceback.print_exc(file=sys.stderr)
        report = {"type": "check", "ok": False, "problems": [{"reason": "unknown", "message": f"the check itself failed: {type(e).__name__}: {e}", "hint": "See stderr."}]}
    out.write(encode(report) + "\n")
    out.flush()
    return 0 if report.get("ok") else 1


def train(target: str) -> int:
    from ftbot_trainer.errors import Cancelled  # noqa: PLC0415
    from ftbot_trainer.guards import CancelFlag  # noqa: PLC0415
    from ftbot_trainer.run import RunState, job_paths, run  # noqa: PLC0415

    job_dir, spec_path = job_paths(target)
    if not os.path.isdir(job_dir):
        print(f"train_lora.py: no job folder at {job_dir}", file=sys.stderr)
        return EXIT_USAGE
    out = _take_stdout()
    state = RunState()
    cancel = CancelFlag(job_dir)
    code = EXIT_FAILED
    log = None

    def on_signal(signum, _frame):
        name = signal.Signals(signum).name
        cancel.signal(name)
        # Once cleanup has begun (saving the adapter, writing the last event), a second signal
        # must not cut it short; SIGKILL remains for a bot that cannot wait.
        if not state.stopping:
            state.stopping = True
            raise Cancelled(name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # The trainer is meant to outlive the SSH session that started it.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        log = EventLog(os.path.join(job_dir, "events.jsonl"), out)
        code = run(job_dir, spec_path, log, cancel, state)
    except BaseException as e:  # noqa: BLE001 - only if the event log itself failed
        print(f"train_lora.py: could not record the run: {type(e).__name__}: {e}", file=sys.stderr)
        code = EXIT_FAILED
    finally:
        state.stopping = True
        if log is not None:
            log.close()
        write_exit_code(job_dir, code)
    return code


def main(argv: list) -> int:
    if len(argv) == 2 and argv[0] == "--check":
        return check(argv[1])
    if len(argv) == 1 and not argv[0].startswith("-"):
        return train(argv[0])
    print(USAGE, file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
