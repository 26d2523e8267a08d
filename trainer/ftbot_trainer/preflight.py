"""The checks that run before any GPU time is spent: packages, GPU, model access, disk.

`train_lora.py --check` runs all of them and reports; a training run runs the same ones and stops
at the first that fails. Nothing here imports torch or huggingface_hub at module level: when they
are missing, saying so is the check.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from typing import Callable, Optional

from . import estimate
from .errors import TrainerFailure, classify
from .spec import is_local_model

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIREMENTS = os.path.join(HERE, "requirements.txt")

MIN_PYTHON = (3, 10)  # transformers 5 needs it

# import name -> (distribution name, minimum version, why). Minimums are the oldest releases with
# the APIs train_lora uses (Trainer(processing_class=), from_pretrained(dtype=), peft's "all-linear").
PACKAGES = {
    "torch": ("torch", "2.4", "tensors and CUDA"),
    "transformers": ("transformers", "5.0", "the model, the tokenizer and Trainer"),
    "peft": ("peft", "0.17", "LoRA adapters"),
    "accelerate": ("accelerate", "1.0", "Trainer's device handling"),
}
QLORA_PACKAGES = {"bitsandbytes": ("bitsandbytes", "0.45", "4-bit (nf4) base weights for qlora")}


def required_packages(method: str) -> dict:
    return {**PACKAGES, **(QLORA_PACKAGES if method == "qlora" else {})}


def _installed_version(dist: str, version: Callable) -> Optional[str]:
    try:
        return version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def package_report(
    method: str,
    find_spec: Callable = importlib.util.find_spec,
    version: Callable = importlib.metadata.version,
) -> dict:
    """{name: {required, version, ok, for}}, without importing any of them."""
    out = {}
    for name, (dist, minimum, why) in required_packages(method).items():
        found = None
        try:
            if find_spec(name) is not None:
                found = _installed_version(dist, version) or "unknown"
        except (ImportError, ValueError):
            found = None
        ok = found is not None and (found == "unknown" or estimate.at_least(found, minimum))
        out[name] = {"required": f">={minimum}", "version": found, "ok": ok, "for": why}
    return out


def pip_command() -> str:
    return f"{sys.executable} -m pip install -r {REQUIREMENTS}"


def missing_failure(report: dict) -> Optional[TrainerFailure]:
    bad = [n for n, p in report.items() if not p["ok"]]
    if not bad:
        return None
    described = ", ".join(
        f"{n} (needs {report[n]['required']}, found {report[n]['version']})" if report[n]["version"] else n for n in bad
    )
    return TrainerFailure(
        "missing_package",
        f"Missing on this host's Python ({sys.executable}): {described}.",
        f"Install the trainer's packages: {pip_command()}",
        missing=bad,
    )


def python_report() -> dict:
    v = sys.version_info
    return {
        "version": f"{v.major}.{v.minor}.{v.micro}",
        "executable": sys.executable,
        "ok": (v.major, v.minor) >= MIN_PYTHON,
        "required": ">=" + ".".join(map(str, MIN_PYTHON)),
    }


# --- GPU -----------------------------------------------------------------------------------------


def _smi() -> dict:
    exe = shutil.which("nvidia-smi")
    if not exe:
        return {"available": False, "count": 0, "devices": [], "source": None, "reason": "no NVIDIA driver found (nvidia-smi is not on PATH)"}
    try:
        out = subprocess.run(
            [exe, "--query-gpu=index,name,memory.total,memory.free,compute_cap", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as e:
        return {"available": False, "count": 0, "devices": [], "source": "nvidia-smi", "reason": f"nvidia-smi failed: {e}"}
    devices = []
    for line in out.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 4:
            continue
        mib = 1024 * 1024
        cap = parts[4] if len(parts) > 4 else None
        devices.append({
            "index": int(parts[0]), "name": parts[1],
            "memory_bytes": int(float(parts[2]) * mib), "free_bytes": int(float(parts[3]) * mib),
            "compute_capability": cap, "bf16": bool(cap) and estimate.version_tuple(cap) >= (8,),
        })
    return {"available": bool(devices), "count": len(devices), "devices": devices, "source": "nvidia-smi",
            "reason": None if devices else "nvidia-smi lists no GPU"}


def torch_gpus(torch) -> dict:
    if not torch.cuda.is_available():
        reason = "torch sees no CUDA GPU"
        if getattr(torch.version, "cuda", None) is None:
            reason = f"this torch ({torch.__version__}) is built without CUDA"
        return {"available": False, "count": 0, "devices": [], "source": "torch", "reason": reason}
    devices = []
    for i in range(torch.cuda.device_count()):
        p = torch.cuda.get_device_properties(i)
        free, total = torch.cuda.mem_get_info(i)
        devices.append({
            "index": i, "name": p.name, "memory_bytes": int(total), "free_bytes": int(free),
            "compute_capability": f"{p.major}.{p.minor}", "bf16": p.major >= 8,
        })
    return {"available": True, "count": len(devices), "devices": devices, "source": "torch", "reason": None}


def gpu_report(find_spec: Callable = importlib.util.find_spec) -> dict:
    if find_spec("torch") is not None:
        try:
            import torch  # noqa: PLC0415 - optional, heavy

            return torch_gpus(torch)
        except Exception as e:  # noqa: BLE001 - a broken torch install is a finding, not a crash
            report = _smi()
            report["torch_error"] = f"{type(e).__name__}: {e}"[:300]
            return report
    return _smi()


def gpu_failure(report: dict, method: str) -> Optional[TrainerFailure]:
    if not report["available"]:
        return TrainerFailure("no_gpu", f"No usable GPU: {report['reason']}.")
    first = report["devices"][0]
    if not first["bf16"]:
        mode = "4-bit with bf16 compute" if method == "qlora" else "LoRA in bf16"
        return TrainerFailure(
            "no_gpu",
            f"{first['name']} (compute capability {first['compute_capability']}) cannot run {mode}: "
            "bf16 needs compute capability 8.0 or newer. The trainer will not fall back to fp16 or fp32 on its own.",
        )
    return None


def probe_bitsandbytes(torch) -> None:
    """Quantises one small tensor on the GPU, so a bitsandbytes without kernels for this GPU or
    CUDA fails here, in a second, rather than after the weights are loaded."""
    try:
        import bitsandbytes.functional as bnbf  # noqa: PLC0415
    except ImportError as e:
        raise TrainerFailure(
            "missing_package", f"qlora needs bitsandbytes, which does not import here: {e}",
            f"Install it: {pip_command()}", missing=["bitsandbytes"],
        ) from None
    try:
        x = torch.randn(256, 64, device="cuda", dtype=torch.bfloat16)
        q, state = bnbf.quantize_4bit(x, quant_type="nf4")
        bnbf.dequantize_4bit(q, state)
        torch.cuda.synchronize()
    except Exception as e:  # noqa: BLE001 - any failure means 4-bit will not run
        raise TrainerFailure(
            "no_gpu",
            f"bitsandbytes cannot run 4-bit on this GPU: {type(e).__name__}: {str(e)[:300]}",
            "Install a bitsandbytes build for this GPU and CUDA version, or use method lora on a GPU with enough memory.",
        ) from None


# --- the model -----------------------------------------------------------------------------------


def _hf_token_present() -> Optional[bool]:
    if os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"):
        return True
    try:
        from huggingface_hub import get_token  # noqa: PLC0415

        return bool(get_token())
    except Exception:  # noqa: BLE001 - absent or an older hub client: unknown
        return None


def _sizes(report: dict, config: Optional[dict], weight_files: list, exact: Optional[dict]) -> None:
    if weight_files:
        try:
            counted = estimate.count_safetensors(weight_files)
            report.update(parameters=counted["parameters"], weights_bytes=counted["bytes"], parameters_source="safetensors headers")
            return
        except (OSError, ValueError, KeyError) as e:
            report["size_note"] = f"could not read the safetensors headers: {e}"
    if exact:
        report.update(exact)
        return
    n = estimate.params_from_config(config) if config else None
    if n is not None:
        report.update(parameters=n, weights_bytes=2 * n, parameters_source="config.json estimate (Llama-style layout, 16-bit weights)")


def local_model_report(path: str) -> dict:
    report = {"source": "local", "path": path, "reachable": False, "gated": False, "cached": True,
              "parameters": None, "weights_bytes": None, "parameters_source": None, "reason": None, "config": None}
    config_path = os.path.join(path, "config.json")
    if not os.path.isdir(path):
        report["reason"] = f"{path} is not a folder on this host"
        return report
    if not os.path.isfile(config_path):
        report["reason"] = f"{path} has no config.json, so it is not a transformers model folder"
        return report
    try:
        with open(config_path, encoding="utf-8") as f:
            report["config"] = json.load(f)
    except (OSError, ValueError) as e:
        report["reason"] = f"{config_path} does not parse: {e}"
        return report
    files = estimate.local_weight_files(path)
    if not files and not any(n.endswith(".bin") for n in os.listdir(path)):
        report["reason"] = f"{path} has a config.json but no weights (*.safetensors or *.bin)"
        return report
    report["reachable"] = True
    _sizes(report, report["config"], files, None)
    return report


def hub_model_report(repo_id: str, revision: Optional[str]) -> dict:
    report = {"source": "hub", "repo_id": repo_id, "revision": revision, "reachable": None, "gated": False,
              "cached": None, "parameters": None, "weights_bytes": None, "parameters_source": None,
              "reason": None, "config": None, "token_present": _hf_token_present()}
    try:
        import huggingface_hub as hub  # noqa: PLC0415
    except ImportError:
        report["reason"] = "huggingface_hub is not installed (it comes with transformers), so the hub was not asked"
        return report
    try:
        # A real file, not a listing: listings can succeed for gated repos the token cannot read.
        config_path = hub.hf_hub_download(repo_id, "config.json", revision=revision)
        with open(config_path, encoding="utf-8") as f:
            report["config"] = json.load(f)
        report["reachable"] = True
    except Exception as e:  # noqa: BLE001 - classified below
        reason = classify(e)
        report["reachable"] = False
        report["gated"] = reason == "gated_model"
        report["reason_code"] = reason if reason in ("gated_model", "model_not_found") else "model_not_found"
        report["reason"] = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"[:400]
        return report
    exact = None
    try:
        meta = hub.get_safetensors_metadata(repo_id, revision=revision)
        counts = dict(meta.parameter_count)
        exact = {
            "parameters": sum(counts.values()),
            "weights_bytes": sum(n * estimate.DTYPE_BYTES.get(d, 2) for d, n in counts.items()),
            "parameters_source": "hub safetensors metadata",
        }
    except Exception:  # noqa: BLE001 - repos with only .bin weights, or an old hub client
        pass
    report["cached"] = _hub_cached(hub, repo_id, revision)
    _sizes(report, report["config"], [], exact)
    return report


def _hub_cached(hub, repo_id: str, revision: Optional[str]) -> bool:
    try:
        index = hub.try_to_load_from_cache(repo_id, "model.safetensors.index.json", revision=revision)
        if isinstance(index, str):
            with open(index, encoding="utf-8") as f:
                shards = set(json.load(f)["weight_map"].values())
            return all(isinstance(hub.try_to_load_from_cache(repo_id, s, revision=revision), str) for s in shards)
        return isinstance(hub.try_to_load_from_cache(repo_id, "model.safetensors", revision=revision), str)
    except Exception:  # noqa: BLE001 - unknown counts as not cached, which over-asks for disk
        return False


def model_report(spec: dict) -> dict:
    if is_local_model(spec["base_model"]):
        return local_model_report(spec["base_model"])
    return hub_model_report(spec["base_model"], spec.get("revision"))


def model_failure(report: dict, base_model: str) -> Optional[TrainerFailure]:
    if report["reachable"] is not False:
        return None
    if report.get("gated"):
        return TrainerFailure(
            "gated_model",
            f"{base_model} is gated and this host's Hugging Face token cannot read it ({report['reason']}).",
            extra_hint(report),
        )
    return TrainerFailure("model_not_found", f"Cannot read the model {base_model}: {report['reason']}.")


def extra_hint(report: dict) -> Optional[str]:
    if report.get("token_present") is False:
        return ("Request access on the model's hub page, then log in on the GPU host (`hf auth login`, or HF_TOKEN "
                "in the trainer's environment): no token is set there now.")
    return None


# --- disk ----------------------------------------------------------------------------------------


def hub_cache_dir() -> str:
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    return os.path.join(home, "hub")


def _existing(path: str) -> str:
    path = os.path.abspath(path)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def disk_report(spec: dict, model: dict) -> dict:
    config = model.get("config") or {}
    lora = estimate.lora_params(config, spec["r"], spec["target_modules"]) if config else None
    if lora is None:
        why = "its layer shapes are not Llama-style" if config else "the model's config.json could not be read"
    needs = estimate.disk_needs(
        model.get("weights_bytes"), bool(model.get("cached")), lora, spec["save_steps"], spec["save_total_limit"],
        lora_unknown_because=None if lora is not None else why,
    )
    places = {}
    for label, path, need in (
        ("model download", hub_cache_dir(), needs["download_bytes"] if model.get("source") == "hub" else 0),
        ("checkpoints and adapter", spec["output_dir"], needs["output_bytes"]),
    ):
        where = _existing(path)
        dev = os.stat(where).st_dev
        entry = places.setdefault(dev, {"paths": [], "for": [], "needed_bytes": 0, "complete": True, "where": where})
        entry["paths"].append(path)
        entry["for"].append(label)
        if need is None:
            entry["complete"] = False
        else:
            entry["needed_bytes"] += need
    checks = []
    for entry in places.values():
        free = shutil.disk_usage(entry["where"]).free
        needed = entry["needed_bytes"] + needs["slack_bytes"]
        checks.append({
            "path": entry["paths"][0] if len(entry["paths"]) == 1 else entry["paths"],
            "for": entry["for"], "free_bytes": free, "needed_bytes": needed,
            # Short of room is a certain "no"; room for a partial count is only a "probably".
            "ok": False if free < needed else (True if entry["complete"] else None),
        })
    oks = [c["ok"] for c in checks]
    return {
        "ok": False if False in oks else (None if None in oks else True),
        "checks": checks,
        "lora_params": lora,
        "how": needs["how"],
    }


def disk_failure(report: dict) -> Optional[TrainerFailure]:
    for c in report["checks"]:
        if c["ok"] is False:
            gib = estimate.GIB
            return TrainerFailure(
                "disk_full",
                f"Not enough disk for {' and '.join(c['for'])} at {c['path']}: {c['free_bytes'] / gib:.1f} GiB free, "
                f"about {c['needed_bytes'] / gib:.1f} GiB needed ({report['how']}).",
            )
    return None


def gpu_memory_failure(gpu: dict, model: dict, method: str) -> Optional[TrainerFailure]:
    need = estimate.gpu_weights_bytes(model.get("parameters"), method)
    if not gpu.get("available") or need is None:
        return None
    free = gpu["devices"][0]["free_bytes"]
    if need > free:
        gib = estimate.GIB
        return TrainerFailure(
            "cuda_oom",
            f"The base weights alone need about {need / gib:.1f} GiB on the GPU ({method}); "
            f"{gpu['devices'][0]['name']} has {free / gib:.1f} GiB free.",
            "Use method qlora, a smaller model, or a GPU with more memory (or stop what else runs on this one).",
        )
    return None
