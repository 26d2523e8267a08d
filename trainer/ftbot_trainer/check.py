"""`train_lora.py --check SPEC`: every pre-flight finding in one JSON object, for the bot's review
step ("nothing starts on a host that fails it, and the person reads why").

Shape: {type: "check", ok, time, spec {ok, errors[{field, message}]}, python {version, executable,
ok, required}, packages {name: {required, version, ok, for}}, missing [names], gpu {available,
count, devices[{index, name, memory_bytes, free_bytes, compute_capability, bf16}], source, reason},
bitsandbytes_probe ("ok", the failure, or null when not run: qlora with torch, bitsandbytes and a
GPU only), model {source ("hub" | "local"), repo_id | path, reachable (true | false | null when it
could not be asked), gated, cached, parameters, weights_bytes, parameters_source, reason,
token_present (hub only)}, disk {ok, checks[{path, for, free_bytes, needed_bytes, ok}], lora_params, how},
data {ok, examples, skipped, error}, problems [{reason, message, hint}]}. A check that could not
run says why in its `reason` and has null where it would have an answer. `ok` is true only when
problems is empty.
"""

from __future__ import annotations

import json
import os

from . import data as data_mod
from . import preflight
from .errors import TrainerFailure
from .events import utc_now
from .spec import SpecError, resolve_paths, validate


def _problem(f: TrainerFailure) -> dict:
    return {"reason": f.reason, "message": f.message, "hint": f.hint}


def load_raw(spec_path: str):
    with open(spec_path, encoding="utf-8") as f:
        return json.load(f)


def run_check(spec_path: str, job_dir: str) -> dict:
    problems = []
    report: dict = {"type": "check", "ok": False, "time": utc_now(), "spec_path": spec_path}
    spec = None
    raw = None
    try:
        raw = load_raw(spec_path)
        spec = resolve_paths(validate(raw), job_dir)
        report["spec"] = {"ok": True, "errors": []}
    except (OSError, ValueError) as e:
        report["spec"] = {"ok": False, "errors": [{"field": "(spec)", "message": f"cannot read {spec_path}: {e}"}]}
    except SpecError as e:
        report["spec"] = {"ok": False, "errors": e.fields}
    if not report["spec"]["ok"]:
        problems.append({"reason": "bad_spec", "message": "spec.json: " + "; ".join(
            f"{x['field']} {x['message']}" for x in report["spec"]["errors"]), "hint": "Fix the fields named."})

    method = spec["method"] if spec else (raw.get("method") if isinstance(raw, dict) and raw.get("method") in ("lora", "qlora") else "lora")
    report["python"] = preflight.python_report()
    if not report["python"]["ok"]:
        problems.append({"reason": "missing_package", "message": f"Python {report['python']['version']} is too old "
                         f"(needs {report['python']['required']}).", "hint": "Run the trainer with a newer Python on the host."})
    report["packages"] = preflight.package_report(method)
    report["missing"] = [n for n, p in report["packages"].items() if not p["ok"]]
    missing = preflight.missing_failure(report["packages"])
    if missing:
        problems.append(_problem(missing))

    report["gpu"] = preflight.gpu_report()
    gpu_problem = preflight.gpu_failure(report["gpu"], method)
    if gpu_problem:
        problems.append(_problem(gpu_problem))
    report["bitsandbytes_probe"] = None
    if method == "qlora" and not gpu_problem and report["gpu"].get("source") == "torch" and report["packages"]["bitsandbytes"]["ok"]:
        # The GPU and the package can each look fine and still not run 4-bit together.
        try:
            import torch  # noqa: PLC0415 - gpu_report imported it already

            preflight.probe_bitsandbytes(torch)
            report["bitsandbytes_probe"] = "ok"
        except TrainerFailure as f:
            report["bitsandbytes_probe"] = f.message
            problems.append(_problem(f))

    if spec is None:
        skipped = {"reason": "not checked: spec.json is invalid"}
        report.update(model=skipped, disk=skipped, data=skipped)
    else:
        model = preflight.model_report(spec)
        failure = preflight.model_failure(model, spec["base_model"])
        if failure:
            problems.append(_problem(failure))
        mem = preflight.gpu_memory_failure(report["gpu"], model, method)
        if mem:
            problems.append(_problem(mem))
        report["disk"] = preflight.disk_report(spec, model)
        disk = preflight.disk_failure(report["disk"])
        if disk:
            problems.append(_problem(disk))
        model.pop("config", None)
        report["model"] = model
        report["data"] = data_report(spec["dataset"])
        if not report["data"]["ok"]:
            problems.append({"reason": "bad_data", "message": report["data"]["error"], "hint": data_mod.BadData("").hint})
    report["problems"] = problems
    report["ok"] = not problems
    return report


def data_report(path: str) -> dict:
    try:
        d = data_mod.read_file(path)
    except TrainerFailure as e:
        return {"ok": False, "examples": None, "skipped": {}, "error": e.message}
    return {"ok": True, "examples": len(d.examples), "skipped": d.skipped, "error": None, "path": os.path.abspath(path)}
