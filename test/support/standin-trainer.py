#!/usr/bin/env python3
"""A stand-in for trainer/train_lora.py in the GPU provider's tests: the only double, at the process
boundary. It is installed on the (test) host in place of train_lora.py, next to the real
ftbot_trainer package, and speaks the real events protocol with the real writer
(ftbot_trainer.events) after checking spec.json with the real validator (ftbot_trainer.spec), so a
spec the bot writes wrongly fails here as it would on a GPU host. It trains nothing: it sleeps.

    python3 train_lora.py JOB_DIR            events in JOB_DIR/events.jsonl, exit status in exit_code
    python3 train_lora.py --check SPEC_JSON  one JSON report on stdout, shaped as check.py's

The scenario is the base model's name: standin/<scenario>-<steps>x<ms> (e.g. standin/ok-6x150:
six steps of 150 ms). Scenarios:
  ok        preparing, started, steps (a checkpoint every 2), the adapter saved, finished, exit 0
  fail      as ok until step 2, then an `error` event (cuda_oom) and exit 1
  die       as ok until step 2, then SIGKILL to itself: no final event, no exit_code
  stubborn  ignores the cancel flag and SIGTERM (only SIGKILL stops it)
  deaf      ignores the cancel flag, but stops on SIGTERM as the real trainer does
  gated     the pre-flight reports a gated model (and training fails with gated_model)
The cancel flag stops it at the next step, SIGTERM at once; either saves the adapter so far and
ends with an `error` event of reason `cancelled` and exit 3.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ftbot_trainer.events import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EventLog, encode, write_exit_code  # noqa: E402
from ftbot_trainer.spec import SpecError, resolve_paths, validate  # noqa: E402

GIB = 1024**3


class Stop(Exception):
    pass


def scenario(spec: dict) -> tuple:
    m = re.match(r"^standin/([a-z]+)-(\d+)x(\d+)$", spec.get("base_model", ""))
    if not m:
        return "ok", 4, 100
    return m.group(1), int(m.group(2)), int(m.group(3))


def job_paths(target: str) -> tuple:
    target = os.path.abspath(target)
    if os.path.isdir(target):
        return target, os.path.join(target, "spec.json")
    return os.path.dirname(target), target


def check(target: str) -> int:
    job_dir, spec_path = job_paths(target)
    problems = []
    spec = None
    try:
        with open(spec_path, encoding="utf-8") as f:
            spec = resolve_paths(validate(json.load(f)), job_dir)
    except SpecError as e:
        problems.append({"reason": "bad_spec", "message": f"spec.json: {e}", "hint": "Fix the fields named."})
    except (OSError, ValueError) as e:
        problems.append({"reason": "bad_spec", "message": f"cannot read {spec_path}: {e}", "hint": "Fix the file."})
    name = scenario(spec)[0] if spec else "ok"
    if name == "gated":
        problems.append({
            "reason": "gated_model",
            "message": f"{spec['base_model']} is gated on the Hugging Face Hub and this host's token has no access.",
            "hint": "Ask for access on the model's page, then log in on the host (hf auth login).",
        })
    data_ok = spec is not None and os.path.isfile(spec["dataset"])
    if spec is not None and not data_ok:
        problems.append({"reason": "bad_data", "message": f"The dataset {spec['dataset']} does not exist on the host.",
                         "hint": "Upload the training file."})
    report = {
        "type": "check",
        "ok": not problems,
        "python": {"version": "3.11.7", "ok": True, "required": ">=3.10"},
        "packages": {"torch": {"required": ">=2.3", "version": "stand-in", "ok": True, "for": "training"}},
        "missing": [],
        "gpu": {"available": True, "count": 1, "source": "stand-in", "reason": None, "devices": [{
            "index": 0, "name": "Stand-in GPU 80GB", "memory_bytes": 80 * GIB, "free_bytes": 79 * GIB,
            "compute_capability": "9.0", "bf16": True}]},
        "disk": {"ok": True, "checks": [{"path": job_dir, "for": ["checkpoints and adapter"],
                                          "free_bytes": 500 * GIB, "needed_bytes": 2 * GIB, "ok": True}]},
        "data": {"ok": data_ok},
        "problems": problems,
    }
    print(encode(report), flush=True)
    return 0 if not problems else 1


def train(job_dir: str) -> int:
    log = EventLog(os.path.join(job_dir, "events.jsonl"), sys.stdout)
    flag = os.path.join(job_dir, "cancel")
    state = {"step": 0, "adapter": None, "gpu_start": None, "stopping": False}
    name = "ok"

    def gpu_seconds() -> float:
        return 0.0 if state["gpu_start"] is None else round(time.monotonic() - state["gpu_start"], 3)

    def save_adapter() -> None:
        log.emit("preparing", phase="saving", message="Saving the adapter.")
        out = os.path.join(job_dir, "output", "adapter")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "adapter_model.safetensors"), "wb") as f:
            f.write(b"\0" * 4096)
        state["adapter"] = out

    def on_term(signum, _frame):
        if name == "stubborn" or state["stopping"]:
            return
        state["stopping"] = True
        raise Stop("SIGTERM")

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    code = EXIT_FAILED
    try:
        log.emit("preparing", phase="checking", message="Checking the spec, the data and the host.")
        with open(os.path.join(job_dir, "spec.json"), encoding="utf-8") as f:
            spec = resolve_paths(validate(json.load(f)), job_dir)
        name, steps, ms = scenario(spec)
        if os.path.exists(flag):
            raise Stop("the cancel flag file was found before training")
        with open(spec["dataset"], "rb") as f:
            examples = sum(1 for line in f if line.strip())
        if name == "gated":
            log.emit("error", reason="gated_model", message=f"{spec['base_model']} is gated.", hint="Ask for access.",
                     traceback=[], exception=None, step=None, adapter_path=None, adapter_bytes=None,
                     gpu_seconds=0.0, missing=[], fields=[])
            return EXIT_FAILED
        state["gpu_start"] = time.monotonic()
        log.emit("preparing", phase="tokenizing", message=f"Tokenizing {examples} examples.")
        log.emit("preparing", phase="loading_model", message=f"Loading {spec['base_model']} ({spec['method']}).")
        tokens_per_step = 1000
        log.emit("started", total_steps=steps, examples=examples, eval_examples=0, rows=examples, tokens=examples * 50,
                 trainable_tokens=examples * 20, epochs=spec["epochs"], train_tokens=steps * tokens_per_step,
                 truncated=0, template_fallbacks=0, skipped={}, method=spec["method"], base_model=spec["base_model"],
                 gpu_name="Stand-in GPU 80GB", gpu_count=1, trainable_params=1000, total_params=100000,
                 job_id=spec["job_id"])
        for step in range(1, steps + 1):
            time.sleep(ms / 1000)
            state["step"] = step
            log.emit("step", step=step, total_steps=steps, loss=round(2.5 / step, 4), learning_rate=spec["learning_rate"],
                     epoch=step / steps * spec["epochs"], grad_norm=1.0, tokens_per_second=tokens_per_step / (ms / 1000),
                     tokens_seen=step * tokens_per_step, gpu_memory_bytes=12 * GIB, gpu_memory_peak_bytes=13 * GIB,
                     elapsed_s=step * ms / 1000)
            if step % 2 == 0:
                log.emit("checkpoint", path=os.path.join(job_dir, "output", f"checkpoint-{step}"), step=step)
            if name == "fail" and step == 2:
                log.emit("error", reason="cuda_oom", message="CUDA ran out of memory at step 2 (tried to allocate 2.0 GiB).",
                         hint="Lower batch_size or max_length, or use qlora.", traceback=["torch.OutOfMemoryError"],
                         exception="OutOfMemoryError", step=step, adapter_path=None, adapter_bytes=None,
                         gpu_seconds=gpu_seconds(), missing=[], fields=[])
                return EXIT_FAILED
            if name == "die" and step == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            if os.path.exists(flag) and name not in ("stubborn", "deaf"):
                raise Stop("the cancel flag file was found")
        save_adapter()
        log.emit("finished", adapter_path=state["adapter"], adapter_bytes=4096,
                 metrics={"train_loss": 2.5 / steps, "eval_loss": None, "steps": steps, "epochs": spec["epochs"],
                          "train_runtime_s": steps * ms / 1000, "tokens_seen": steps * tokens_per_step,
                          "tokens_per_second": tokens_per_step / (ms / 1000), "gpu_memory_peak_bytes": 13 * GIB},
                 gpu_seconds=gpu_seconds())
        code = EXIT_OK
    except Stop as why:
        state["stopping"] = True
        kept = "nothing was trained"
        if state["step"]:
            save_adapter()
            kept = f"the adapter trained so far is at {state['adapter']}"
        log.emit("error", reason="cancelled", message=f"Cancelled at step {state['step']} ({why}); {kept}.",
                 hint=None, traceback=[], exception=None, step=state["step"] or None, adapter_path=state["adapter"],
                 adapter_bytes=4096 if state["adapter"] else None, gpu_seconds=gpu_seconds(), missing=[], fields=[])
        code = EXIT_CANCELLED
    except SpecError as e:
        log.emit("error", reason="bad_spec", message=f"spec.json has bad fields: {e}.", hint="Fix the fields named.",
                 traceback=[], exception=None, step=None, adapter_path=None, adapter_bytes=None, gpu_seconds=0.0,
                 missing=[], fields=e.fields)
        code = EXIT_FAILED
    finally:
        state["stopping"] = True
        log.close()
        write_exit_code(job_dir, code)
    return code


def main(argv: list) -> int:
    if len(argv) == 2 and argv[0] == "--check":
        return check(argv[1])
    if len(argv) == 1:
        return train(job_paths(argv[0])[0])
    print("usage: train_lora.py [--check] JOB_DIR_OR_SPEC_JSON", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
