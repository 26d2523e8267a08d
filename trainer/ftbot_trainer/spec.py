"""spec.json: what the bot asks the trainer to do. Checked whole before anything is loaded, with one
message per bad field, so the person sees every mistake at once rather than one per attempt.

Unknown keys are refused: the bot ships this trainer with each job, so a key the trainer does not
know is a typo or a version mix-up, and silently ignoring it would train with a default instead.
Relative paths are relative to the job folder (the folder holding spec.json).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import Any, Optional

# A hub id is "name" (legacy, e.g. "gpt2") or "owner/name"; the hub's own rules are a subset of this.
HUB_ID = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


@dataclass(frozen=True)
class Field:
    kind: str  # "str" | "int" | "float" | "bool" | "enum" | "path"
    default: Any
    doc: str
    low: Optional[float] = None
    high: Optional[float] = None
    low_open: bool = False  # the low bound itself is not allowed
    choices: tuple = ()
    nullable: bool = False


FIELDS: dict[str, Field] = {
    "base_model": Field("str", None, "hub id (owner/name) or a path to a model folder on the host"),
    "revision": Field("str", None, "hub branch, tag or commit; hub models only", nullable=True),
    "dataset": Field("path", "train.jsonl", "chat JSONL (OpenAI format, or `convert --to trainer`)"),
    "output_dir": Field("path", "output", "checkpoints go here, the final adapter in <output_dir>/adapter"),
    "method": Field("enum", "lora", "lora: bf16 base weights; qlora: 4-bit nf4 base weights", choices=("lora", "qlora")),
    "r": Field("int", 16, "LoRA rank", low=1, high=1024),
    "alpha": Field("float", 32, "LoRA alpha (the update is scaled by alpha / r)", low=0, high=4096, low_open=True),
    "dropout": Field("float", 0.05, "LoRA dropout", low=0, high=0.9),
    "target_modules": Field(
        "enum", "all-linear", "attention: the attention projections; all-linear: every linear layer but the output head",
        choices=("attention", "all-linear"),
    ),
    "epochs": Field("float", 3, "passes over the training set (fractions allowed)", low=0, high=100, low_open=True),
    "learning_rate": Field("float", 2e-4, "peak learning rate", low=0, high=1, low_open=True),
    "batch_size": Field("int", 4, "sequences per GPU per micro-step", low=1, high=4096),
    "gradient_accumulation": Field("int", 4, "micro-steps per optimizer step", low=1, high=4096),
    "max_length": Field("int", 2048, "tokens per sequence; longer examples are truncated and counted", low=32, high=1048576),
    "packing": Field("bool", False, "pack several examples into each sequence (attention kept per example)"),
    "eval_fraction": Field("float", 0.0, "share of examples held out for eval loss", low=0, high=0.5),
    "eval_steps": Field("int", None, "evaluate every N steps (default: about 10 times per run)", low=1, high=10**9, nullable=True),
    "seed": Field("int", 42, "seed for the split, the shuffle and LoRA init", low=0, high=2**32 - 1),
    "save_steps": Field("int", 200, "checkpoint every N steps; 0: only the final adapter", low=0, high=10**9),
    "save_total_limit": Field("int", 2, "checkpoints kept on disk", low=1, high=1000),
    "warmup_ratio": Field("float", 0.03, "share of steps spent warming the learning rate up", low=0, high=0.5),
    "lr_scheduler": Field(
        "enum", "cosine", "learning-rate schedule after warm-up",
        choices=("cosine", "linear", "constant", "constant_with_warmup"),
    ),
    "weight_decay": Field("float", 0.0, "AdamW weight decay", low=0, high=1),
    "max_grad_norm": Field("float", 1.0, "gradient clipping norm", low=0, high=1000, low_open=True),
    "gradient_checkpointing": Field("bool", True, "recompute activations to save memory (about 30% slower)"),
    "logging_steps": Field("int", 1, "a step event every N optimizer steps", low=1, high=10**6),
    "max_nonfinite_losses": Field("int", 3, "stop with nan_loss after this many non-finite steps in a row", low=1, high=1000),
    "attn_implementation": Field(
        "enum", "sdpa", "attention kernel", choices=("sdpa", "flash_attention_2", "eager"),
    ),
    "trust_remote_code": Field("bool", False, "run the model repo's own Python code (only for repos you trust)"),
    "chat_template": Field("str", None, "a Jinja chat template, for tokenizers that have none", nullable=True),
    "job_id": Field("str", None, "the bot's job id, echoed in the started event", nullable=True),
}

REQUIRED = ("base_model",)


class SpecError(Exception):
    """spec.json is unusable; .fields holds one {field, message} per problem."""

    def __init__(self, fields: list[dict]):
        self.fields = fields
        super().__init__("; ".join(f"{f['field']}: {f['message']}" for f in fields))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _range_text(f: Field) -> str:
    low = "" if f.low is None else (f"> {_num(f.low)}" if f.low_open else f">= {_num(f.low)}")
    high = "" if f.high is None else f"<= {_num(f.high)}"
    return " and ".join(p for p in (low, high) if p)


def _check_one(name: str, f: Field, value: Any) -> Optional[str]:
    if value is None:
        return None if f.nullable else "must not be null"
    if f.kind in ("str", "path"):
        if not isinstance(value, str) or value.strip() == "":
            return "must be a non-empty string"
        return None
    if f.kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if f.kind == "enum":
        return None if value in f.choices else f"must be one of {', '.join(f.choices)} (got {value!r})"
    if f.kind == "int":
        # JSON has no int type of its own: 4.0 is accepted as 4, 4.5 is not; true is not a number.
        if not _number(value) or (isinstance(value, float) and not value.is_integer()):
            return "must be a whole number"
    elif f.kind == "float":
        if not _number(value) or not math.isfinite(value):
            return "must be a number"
    too_low = f.low is not None and (value <= f.low if f.low_open else value < f.low)
    too_high = f.high is not None and value > f.high
    if too_low or too_high:
        return f"must be {_range_text(f)} (got {value!r})"
    return None


def _cross_checks(spec: dict) -> list[dict]:
    out = []
    model = spec["base_model"]
    if isinstance(model, str) and not is_local_model(model) and not HUB_ID.match(model):
        out.append({"field": "base_model", "message": f"{model!r} is neither a hub id (owner/name) nor a path on the host"})
    if spec["revision"] is not None and isinstance(model, str) and is_local_model(model):
        out.append({"field": "revision", "message": "only applies to hub models, not a local path"})
    return out


def is_local_model(base_model: str) -> bool:
    # An explicit path is local even when it does not exist yet, so the pre-flight says
    # "not found on the host" rather than trying the hub with a path.
    return base_model.startswith(("/", "./", "../", "~")) or os.path.isdir(base_model)


def validate(raw: Any) -> dict:
    """The spec with defaults filled in, or SpecError naming every bad field."""
    if not isinstance(raw, dict):
        raise SpecError([{"field": "(spec)", "message": "spec.json must hold a JSON object"}])
    errors = []
    for key in raw:
        if key not in FIELDS:
            errors.append({"field": key, "message": "is not a spec field" + _suggest(key)})
    spec: dict = {}
    for name, f in FIELDS.items():
        if name not in raw:
            if name in REQUIRED:
                errors.append({"field": name, "message": "is required"})
            spec[name] = f.default
            continue
        problem = _check_one(name, f, raw[name])
        if problem:
            errors.append({"field": name, "message": problem})
        value = raw[name]
        if f.kind == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)
        spec[name] = value
    if not errors:
        errors.extend(_cross_checks(spec))
    if errors:
        raise SpecError(errors)
    return spec


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, FIELDS.keys(), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def resolve_paths(spec: dict, job_dir: str) -> dict:
    """A copy with dataset, output_dir and a local base_model made absolute against the job folder."""
    out = dict(spec)

    def absolute(p: str) -> str:
        p = os.path.expanduser(p)
        return os.path.normpath(p if os.path.isabs(p) else os.path.join(job_dir, p))

    out["dataset"] = absolute(spec["dataset"])
    out["output_dir"] = absolute(spec["output_dir"])
    if is_local_model(spec["base_model"]):
        out["base_model"] = absolute(spec["base_model"])
    return out


def describe() -> list[dict]:
    """The schema as data: for documentation and for the bot's tests to compare against."""
    rows = []
    for name, f in FIELDS.items():
        row: dict = {"field": name, "type": f.kind, "default": f.default, "doc": f.doc, "required": name in REQUIRED}
        if f.choices:
            row["choices"] = list(f.choices)
        if f.low is not None or f.high is not None:
            row["range"] = _range_text(f)
        rows.append(row)
    return rows

