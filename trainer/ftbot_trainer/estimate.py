"""Sizes known before loading a model: parameter counts, LoRA sizes, and the disk a job needs.

Parameter counts come, best first, from the safetensors headers (exact: each header lists every
tensor's shape and byte range), from the hub's safetensors metadata (exact, no download), or from
config.json (an estimate for the Llama-style layout most open chat models share).
"""

from __future__ import annotations

import json
import os
import re
import struct
from typing import Optional

GIB = 1024**3

DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}


def version_tuple(text: Optional[str]) -> tuple:
    """'2.15.0+cu128' -> (2, 15, 0); pre-release tails are cut, which is what a minimum needs."""
    if not text:
        return ()
    parts = []
    for piece in text.split("+")[0].split("."):
        m = re.match(r"\d+", piece)
        if not m:
            break
        parts.append(int(m.group()))
        if m.end() != len(piece):
            break
    return tuple(parts)


def at_least(found: Optional[str], minimum: str) -> bool:
    have, need = version_tuple(found), version_tuple(minimum)
    return bool(have) and have + (0,) * (len(need) - len(have)) >= need


# --- safetensors ---------------------------------------------------------------------------------


def safetensors_header(path: str) -> dict:
    """The JSON header of one .safetensors file: 8 bytes of little-endian length, then JSON."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        if length > 100 * 1024 * 1024:
            raise ValueError(f"{path}: header of {length} bytes is not a safetensors header")
        return json.loads(f.read(length))


def count_safetensors(paths: list) -> dict:
    """{"parameters": n, "bytes": n} over the given files."""
    params = size = 0
    for p in paths:
        for name, info in safetensors_header(p).items():
            if name == "__metadata__":
                continue
            n = 1
            for d in info["shape"]:
                n *= int(d)
            params += n
            begin, end = info["data_offsets"]
            size += int(end) - int(begin)
    return {"parameters": params, "bytes": size}


def local_weight_files(model_dir: str) -> list:
    try:
        names = sorted(os.listdir(model_dir))
    except OSError:
        return []
    return [os.path.join(model_dir, n) for n in names if n.endswith(".safetensors")]


# --- config.json ---------------------------------------------------------------------------------


def _text_config(config: dict) -> dict:
    # Multimodal configs nest the language model's settings.
    for key in ("text_config", "llm_config", "language_config"):
        if isinstance(config.get(key), dict):
            return {**config, **config[key]}
    return config


def layer_shapes(config: dict) -> Optional[dict]:
    """The linear layers of one decoder block as (in, out), for Llama-style configs; None if unknown."""
    c = _text_config(config)
    try:
        h = int(c["hidden_size"])
        layers = int(c["num_hidden_layers"])
        heads = int(c["num_attention_heads"])
        inter = int(c.get("intermediate_size") or 4 * h)
    except (KeyError, TypeError, ValueError):
        return None
    kv = int(c.get("num_key_value_heads") or heads)
    head_dim = int(c.get("head_dim") or h // heads)
    experts = int(c.get("num_local_experts") or c.get("num_experts") or 1)
    moe_inter = int(c.get("moe_intermediate_size") or inter)
    return {
        "layers": layers,
        "hidden": h,
        "vocab": int(c.get("vocab_size") or 32000),
        "tied": bool(c.get("tie_word_embeddings", False)),
        "experts": experts,
        "attention": [(h, heads * head_dim), (h, kv * head_dim), (h, kv * head_dim), (heads * head_dim, h)],
        "mlp": [(h, moe_inter), (h, moe_inter), (moe_inter, h)] if experts > 1 else [(h, inter), (h, inter), (inter, h)],
    }


def params_from_config(config: dict) -> Optional[int]:
    s = layer_shapes(config)
    if s is None:
        return None
    per_layer = sum(i * o for i, o in s["attention"]) + s["experts"] * sum(i * o for i, o in s["mlp"]) + 2 * s["hidden"]
    embeddings = s["vocab"] * s["hidden"] * (1 if s["tied"] else 2)
    return s["layers"] * per_layer + embeddings + s["hidden"]


def lora_params(config: dict, r: int, targets: str) -> Optional[int]:
    """LoRA adds r x (in + out) per adapted linear layer."""
    s = layer_shapes(config)
    if s is None:
        return None
    linears = list(s["attention"])
    if targets == "all-linear":
        linears += s["mlp"] * s["experts"]
    return s["layers"] * sum(r * (i + o) for i, o in linears)


# --- which modules "attention" means -------------------------------------------------------------


def attention_targets(linear_names: list) -> list:
    """Leaf names of the linear layers that sit inside an attention block.

    Architectures name them differently (q_proj/k_proj/v_proj/o_proj, qkv_proj, query_key_value,
    Wqkv, out_proj...), but every one nests them under a module called *attn* or *attention*.
    """
    leaves = set()
    for full in linear_names:
        parts = full.split(".")
        if len(parts) < 2 or parts[-1] in ("lm_head", "output"):
            continue
        if any("attn" in p.lower() or "attention" in p.lower() for p in parts[:-1]):
            leaves.add(parts[-1])
    return sorted(leaves)


# --- disk ----------------------------------------------------------------------------------------

# An AdamW checkpoint of a LoRA run holds the adapter (fp32: 4 bytes a parameter) and two fp32
# moments (8 more); the scheduler, RNG and trainer state are a few kilobytes.
CHECKPOINT_BYTES_PER_LORA_PARAM = 12
ADAPTER_BYTES_PER_LORA_PARAM = 4
SLACK_BYTES = 2 * GIB  # tokenizer files, logs, the HF cache's temporary files during download


def disk_needs(
    weights_bytes: Optional[int],
    model_cached: bool,
    lora: Optional[int],
    save_steps: int,
    save_total_limit: int,
    lora_unknown_because: Optional[str] = None,
) -> dict:
    """What a job writes, by where it goes, and how that was estimated."""
    notes = []
    download = 0
    if not model_cached:
        if weights_bytes is None:
            notes.append("model size unknown: its download is not counted")
        else:
            download = weights_bytes
            notes.append(f"model download {weights_bytes / GIB:.1f} GiB")
    else:
        notes.append("model already on the host")
    if lora is None:
        checkpoints = adapter = None
        notes.append(f"LoRA size unknown ({lora_unknown_because or 'no layer shapes'}): checkpoints not counted")
    else:
        adapter = lora * ADAPTER_BYTES_PER_LORA_PARAM
        # One checkpoint more than the limit exists while the oldest is being rotated out.
        kept = save_total_limit + 1 if save_steps > 0 else 0
        checkpoints = kept * lora * CHECKPOINT_BYTES_PER_LORA_PARAM
        notes.append(
            f"{kept} checkpoints x {lora * CHECKPOINT_BYTES_PER_LORA_PARAM / GIB:.2f} GiB "
            f"(LoRA {lora:,} params: fp32 weights + AdamW moments) + adapter {adapter / GIB:.2f} GiB"
        )
    notes.append(f"+ {SLACK_BYTES / GIB:.0f} GiB slack")
    return {
        "download_bytes": download,
        "output_bytes": None if checkpoints is None else checkpoints + adapter,
        "slack_bytes": SLACK_BYTES,
        "how": "; ".join(notes),
    }


def gpu_weights_bytes(parameters: Optional[int], method: str) -> Optional[int]:
    """Base weights on the GPU: 2 bytes a parameter in bf16, about 0.55 in nf4 with double quant
    (4 bits plus block scales, with embeddings and norms left in 16 bits)."""
    if parameters is None:
        return None
    return int(parameters * (0.55 if method == "qlora" else 2))
