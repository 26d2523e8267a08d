"""The GPU part: tokenizer, model, LoRA, Trainer, and the callback that writes the events.

Only run.py imports this, after the pre-flight found torch, transformers and peft; the imports
stay inside functions all the same, so importing the module never loads them.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Optional

from . import data, estimate, preflight
from .errors import Cancelled, TrainerFailure
from .guards import finite, NonFiniteCounter

END_MARKERS = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>")


def _fail_if(failure: Optional[TrainerFailure]) -> None:
    if failure:
        raise failure


def _check_cancel(cancel, when: str) -> None:
    if cancel.requested():
        raise TrainerFailure("cancelled", f"Cancelled {when}; nothing was trained.")


# --- data ------------------------------------------------------------------------------------------


def encode_examples(tokenizer, examples: list, max_length: int) -> tuple:
    """Encoded examples and the counts the started event reports."""
    markers = [m for m in (tokenizer.eos_token, *END_MARKERS) if m]
    counts = {"truncated": 0, "template_fallbacks": 0, "skipped": {}}
    out = []
    offsets_ok = True
    for ex in examples:
        tools = ex.get("tools")

        def render(messages, gen, tools=tools):
            text = tokenizer.apply_chat_template(messages, tools=tools, tokenize=False, add_generation_prompt=gen)
            if not isinstance(text, str):
                raise TypeError("apply_chat_template did not return text")
            return text

        full, spans = data.assistant_spans(ex["messages"], render, markers)
        counts["template_fallbacks"] += int(spans.fallback)
        ids = labels = None
        if offsets_ok:
            try:
                enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
                ids = list(enc["input_ids"])
                labels = data.labels_from_offsets(ids, enc["offset_mapping"], spans.spans)
            except (NotImplementedError, ValueError, KeyError, TypeError):
                offsets_ok = False  # a tokenizer without offsets: count tokens of prefixes instead
        if ids is None:
            ids = list(tokenizer(full, add_special_tokens=False)["input_ids"])

            def length(text):
                return len(tokenizer(text, add_special_tokens=False)["input_ids"])

            labels = data.labels_from_prefix_lengths(ids, [(length(full[:s]), length(full[:e])) for s, e in spans.spans])
        enc = data.truncate(ids, labels, max_length)
        counts["truncated"] += int(enc.truncated)
        if data.trainable_count(enc.labels) == 0:
            why = "no_trainable_token_after_truncation" if enc.truncated else "no_trainable_token"
            counts["skipped"][why] = counts["skipped"].get(why, 0) + 1
            continue
        out.append(enc)
    return out, counts


def build_rows(encoded: list, packing: bool, max_length: int) -> list:
    if not packing:
        return [data.plain_row(e) for e in encoded]
    groups = data.pack([len(e.input_ids) for e in encoded], max_length)
    return [data.packed_row(encoded, g) for g in groups]


# --- model -----------------------------------------------------------------------------------------


def load_model(spec: dict, torch):
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig  # noqa: PLC0415

    kwargs = {
        "dtype": torch.bfloat16,
        "device_map": {"": 0},
        "attn_implementation": spec["attn_implementation"],
        "trust_remote_code": spec["trust_remote_code"],
    }
    if spec["revision"]:
        kwargs["revision"] = spec["revision"]
    if spec["method"] == "qlora":
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16,
        )
    model = AutoModelForCausalLM.from_pretrained(spec["base_model"], **kwargs)
    # A KV cache is for generation; during training it costs memory, and its presence stops
    # transformers from reading packed position ids as example boundaries.
    model.config.use_cache = False
    return model


def add_lora(model, spec: dict, torch):
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training  # noqa: PLC0415

    checkpointing = spec["gradient_checkpointing"]
    if spec["method"] == "qlora":
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=checkpointing, gradient_checkpointing_kwargs={"use_reentrant": False}
        )
    elif checkpointing:
        # With frozen embeddings nothing upstream of the first block needs a gradient, and a
        # checkpointed block would then drop the graph; this keeps the input in it.
        model.enable_input_require_grads()
    if spec["target_modules"] == "all-linear":
        targets = "all-linear"
    else:
        names = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
        targets = estimate.attention_targets(names)
        if not targets:
            raise TrainerFailure(
                "bad_spec",
                f"Found no attention projections in {type(model).__name__} to put LoRA on.",
                "Set target_modules to all-linear for this model.",
            )
    config = LoraConfig(
        r=spec["r"], lora_alpha=spec["alpha"], lora_dropout=spec["dropout"],
        target_modules=targets, bias="none", task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


# --- the run ---------------------------------------------------------------------------------------


def train(spec: dict, dataset: data.Dataset, log, cancel, state, model_info: dict) -> None:
    """Trains and emits started/step/eval/checkpoint/finished; raises TrainerFailure (or lets a
    library exception through) for run.py to turn into the error event."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415
    from transformers import AutoTokenizer, Trainer, TrainingArguments  # noqa: PLC0415

    transformers.logging.set_verbosity_warning()

    gpu = preflight.torch_gpus(torch)
    if gpu["available"]:
        state.gpu_started(1)
    _fail_if(preflight.gpu_failure(gpu, spec["method"]))
    if spec["method"] == "qlora":
        preflight.probe_bitsandbytes(torch)
    _fail_if(preflight.gpu_memory_failure(gpu, model_info, spec["method"]))
    _check_cancel(cancel, "before the tokenizer was loaded")

    log.emit("preparing", phase="tokenizing", message=f"Tokenizing {len(dataset.examples):,} examples.")
    tok_kwargs = {"trust_remote_code": spec["trust_remote_code"]}
    if spec["revision"]:
        tok_kwargs["revision"] = spec["revision"]
    tokenizer = AutoTokenizer.from_pretrained(spec["base_model"], **tok_kwargs)
    if spec["chat_template"]:
        tokenizer.chat_template = spec["chat_template"]
    if not getattr(tokenizer, "chat_template", None):
        raise TrainerFailure(
            "bad_spec", f"The tokenizer of {spec['base_model']} has no chat template, so chat examples cannot be rendered.",
            "Use an instruct/chat variant of the model, or set chat_template in the job.",
        )
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)

    train_idx, eval_idx = data.split(len(dataset.examples), spec["eval_fraction"], spec["seed"])
    train_enc, counts = encode_examples(tokenizer, [dataset.examples[i] for i in train_idx], spec["max_length"])
    eval_enc, eval_counts = encode_examples(tokenizer, [dataset.examples[i] for i in eval_idx], spec["max_length"])
    if not train_enc:
        raise TrainerFailure("bad_data", "No training example has an assistant token left to learn from after tokenizing.")
    skipped = dict(dataset.skipped)
    for c in (counts, eval_counts):
        for k, v in c["skipped"].items():
            skipped[k] = skipped.get(k, 0) + v
    train_rows = build_rows(train_enc, spec["packing"], spec["max_length"])
    eval_rows = build_rows(eval_enc, spec["packing"], spec["max_length"])
    tokens = sum(len(e.input_ids) for e in train_enc)
    trainable_tokens = sum(data.trainable_count(e.labels) for e in train_enc)
    _check_cancel(cancel, "before the model was loaded")

    log.emit("preparing", phase="loading_model", message=f"Loading {spec['base_model']} ({spec['method']}).")
    transformers.set_seed(spec["seed"])
    model = add_lora(load_model(spec, torch), spec, torch)
    trainable_params, total_params = model.get_nb_trainable_parameters()

    planned = data.total_steps(len(train_rows), spec["batch_size"], spec["gradient_accumulation"], spec["epochs"])
    evaluating = bool(eval_rows)
    eval_steps = spec["eval_steps"] or max(1, -(-planned // 10))
    args = TrainingArguments(
        output_dir=spec["output_dir"],
        num_train_epochs=spec["epochs"],
        learning_rate=spec["learning_rate"],
        per_device_train_batch_size=spec["batch_size"],
        per_device_eval_batch_size=spec["batch_size"],
        gradient_accumulation_steps=spec["gradient_accumulation"],
        lr_scheduler_type=spec["lr_scheduler"],
        warmup_steps=int(round(spec["warmup_ratio"] * planned)),
        weight_decay=spec["weight_decay"],
        max_grad_norm=spec["max_grad_norm"],
        optim="paged_adamw_32bit" if spec["method"] == "qlora" else "adamw_torch_fused",
        bf16=True,
        gradient_checkpointing=spec["gradient_checkpointing"],
        gradient_checkpointing_kwargs={"use_reentrant": False},
        logging_strategy="steps",
        logging_steps=spec["logging_steps"],
        # Left on, transformers replaces a NaN loss by the window's average before we see it.
        logging_nan_inf_filter=False,
        save_strategy="steps" if spec["save_steps"] > 0 else "no",
        save_steps=max(1, spec["save_steps"]),
        save_total_limit=spec["save_total_limit"],
        eval_strategy="steps" if evaluating else "no",
        eval_steps=eval_steps,
        prediction_loss_only=True,
        seed=spec["seed"],
        data_seed=spec["seed"],
        report_to="none",
        disable_tqdm=True,
        remove_unused_columns=False,
        dataloader_num_workers=0,
        log_level="warning",
    )
    collate = Collator(pad_id, torch)
    callback = make_callback(log, cancel, state, collate, torch, {
        "examples": len(train_enc),
        "eval_examples": len(eval_enc),
        "rows": len(train_rows),
        "tokens": tokens,
        "trainable_tokens": trainable_tokens,
        "epochs": spec["epochs"],
        "train_tokens": int(tokens * spec["epochs"]),
        "truncated": counts["truncated"] + eval_counts["truncated"],
        "template_fallbacks": counts["template_fallbacks"] + eval_counts["template_fallbacks"],
        "skipped": skipped,
        "method": spec["method"],
        "base_model": spec["base_model"],
        "gpu_name": gpu["devices"][0]["name"],
        "gpu_count": 1,
        "trainable_params": int(trainable_params),
        "total_params": int(total_params),
        "job_id": spec["job_id"],
    }, spec["max_nonfinite_losses"])
    trainer = Trainer(
        model=model,
        args=args,
        data_collator=collate,
        train_dataset=Rows(train_rows, torch),
        eval_dataset=Rows(eval_rows, torch, eval_=True) if evaluating else None,
        processing_class=tokenizer,
        callbacks=[callback],
    )
    from transformers.trainer_callback import PrinterCallback, ProgressCallback  # noqa: PLC0415

    # They print Python dict reprs to stdout; stdout carries only our JSON lines.
    # pop_callback, unlike remove_callback, is documented to do nothing when the callback is absent.
    trainer.pop_callback(PrinterCallback)
    trainer.pop_callback(ProgressCallback)

    adapter_dir = os.path.join(spec["output_dir"], "adapter")

    def keep_adapter() -> None:
        state.stopping = True  # a SIGTERM while saving would leave half an adapter
        log.emit("preparing", phase="saving", message=f"Saving the adapter to {adapter_dir}.")
        trainer.model.save_pretrained(adapter_dir)
        tokenizer.save_pretrained(adapter_dir)
        state.adapter_path = adapter_dir
        state.adapter_bytes = adapter_weight_bytes(adapter_dir)

    started = time.monotonic()
    try:
        result = trainer.train()
    except Cancelled:
        # SIGTERM: keep what was trained, quickly, then let run.py report the cancel.
        if state.step:
            try:
                keep_adapter()
            except Exception as e:  # noqa: BLE001 - the cancel is still reported
                print(f"could not save the adapter after SIGTERM: {e}", file=sys.stderr)
        raise
    step = trainer.state.global_step
    state.step = step
    if callback.nonfinite.tripped:
        where = f" The last checkpoint is {callback.last_checkpoint}." if callback.last_checkpoint else ""
        raise TrainerFailure(
            "nan_loss",
            f"The loss was not a finite number for {callback.nonfinite.in_a_row} logged steps in a row "
            f"(through step {step}); training stopped.{where}",
        )
    if callback.cancelled:
        kept = "nothing was trained"
        if step:
            keep_adapter()
            kept = f"the adapter trained so far is at {adapter_dir}"
        raise TrainerFailure("cancelled", f"Cancelled at step {step} of {trainer.state.max_steps} ({cancel.why()}); {kept}.")

    if evaluating and callback.last_eval_step != step:
        trainer.evaluate()
    keep_adapter()
    runtime = result.metrics.get("train_runtime") or (time.monotonic() - started)
    log.emit(
        "finished",
        adapter_path=adapter_dir,
        adapter_bytes=state.adapter_bytes,
        metrics={
            "train_loss": result.training_loss,
            "eval_loss": callback.last_eval_loss,
            "steps": step,
            "epochs": trainer.state.epoch,
            "train_runtime_s": runtime,
            "tokens_seen": collate.tokens,
            "tokens_per_second": collate.tokens / runtime if runtime else None,
            "gpu_memory_peak_bytes": int(torch.cuda.max_memory_allocated()),
        },
        gpu_seconds=state.gpu_seconds(),
    )


def adapter_weight_bytes(adapter_dir: str) -> Optional[int]:
    for name in ("adapter_model.safetensors", "adapter_model.bin"):
        p = os.path.join(adapter_dir, name)
        if os.path.isfile(p):
            return os.path.getsize(p)
    return None


# --- the pieces Trainer calls ----------------------------------------------------------------------


def Rows(rows: list, torch, eval_: bool = False):
    """A map-style dataset of prepared rows (Trainer takes any torch Dataset)."""

    class _Rows(torch.utils.data.Dataset):
        def __len__(self):
            return len(rows)

        def __getitem__(self, i):
            return {**rows[i], "_eval": True} if eval_ else rows[i]

    return _Rows()


class Collator:
    """Pads a batch and counts the tokens fed to training (eval batches are marked and not counted)."""

    def __init__(self, pad_id: int, torch):
        self.pad_id = pad_id
        self.torch = torch
        self.tokens = 0

    def __call__(self, features: list) -> dict:
        is_eval = any(f.get("_eval") for f in features)
        rows = [{k: v for k, v in f.items() if k != "_eval"} for f in features]
        if not is_eval:
            self.tokens += sum(len(r["input_ids"]) for r in rows)
        batch = data.pad_batch(rows, self.pad_id)
        return {k: self.torch.tensor(v, dtype=self.torch.long) for k, v in batch.items()}


def make_callback(log, cancel, state, collate: Collator, torch, meta: dict, max_nonfinite: int):
    from transformers import TrainerCallback  # noqa: PLC0415

    class EventsCallback(TrainerCallback):
        def __init__(self):
            self.nonfinite = NonFiniteCounter(max_nonfinite)
            self.cancelled = False
            self.last_checkpoint: Optional[str] = None
            self.last_eval_step: Optional[int] = None
            self.last_eval_loss: Optional[float] = None
            self._began = time.monotonic()
            self._last = (self._began, 0)

        def on_train_begin(self, args, tstate, control, **kwargs):
            self._began = time.monotonic()
            self._last = (self._began, collate.tokens)
            log.emit("started", total_steps=tstate.max_steps, **meta)

        def on_step_end(self, args, tstate, control, **kwargs):
            state.step = tstate.global_step
            if cancel.requested():
                self.cancelled = True
                control.should_training_stop = True
            return control

        def on_log(self, args, tstate, control, logs=None, **kwargs):
            logs = logs or {}
            if "loss" not in logs:
                return control
            now = time.monotonic()
            then, tokens_then = self._last
            rate = (collate.tokens - tokens_then) / (now - then) if now > then else None
            self._last = (now, collate.tokens)
            log.emit(
                "step",
                step=tstate.global_step,
                total_steps=tstate.max_steps,
                loss=finite(logs.get("loss")),
                learning_rate=finite(logs.get("learning_rate")),
                epoch=finite(logs.get("epoch", tstate.epoch)),
                grad_norm=finite(logs.get("grad_norm")),
                tokens_per_second=rate,
                tokens_seen=collate.tokens,
                gpu_memory_bytes=int(torch.cuda.memory_allocated()),
                gpu_memory_peak_bytes=int(torch.cuda.max_memory_allocated()),
                elapsed_s=round(now - self._began, 3),
            )
            if self.nonfinite.observe(logs.get("loss"), logs.get("grad_norm")):
                control.should_training_stop = True
            return control

        def on_evaluate(self, args, tstate, control, metrics=None, **kwargs):
            metrics = metrics or {}
            self.last_eval_step = tstate.global_step
            self.last_eval_loss = finite(metrics.get("eval_loss"))
            log.emit(
                "eval",
                step=tstate.global_step,
                epoch=finite(tstate.epoch),
                eval_loss=self.last_eval_loss,
                metrics={k: v for k, v in metrics.items() if k.startswith("eval_")},
            )
            return control

        def on_save(self, args, tstate, control, **kwargs):
            path = os.path.join(args.output_dir, f"checkpoint-{tstate.global_step}")
            self.last_checkpoint = path
            log.emit("checkpoint", path=path, step=tstate.global_step)
            return control

    return EventsCallback()
