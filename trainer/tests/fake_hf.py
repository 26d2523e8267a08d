"""Stand-ins for torch, transformers and peft, just deep enough to drive training.train() on a
machine without them. They accept only argument names the real APIs have (transformers 5.x,
peft 0.2x), so a misspelt TrainingArguments field fails here rather than on a rented GPU."""

import math
import os
import types

from .test_training_parts import CharTokenizer

TRAINING_ARGUMENTS = {
    "output_dir", "num_train_epochs", "max_steps", "learning_rate", "per_device_train_batch_size",
    "per_device_eval_batch_size", "gradient_accumulation_steps", "lr_scheduler_type", "warmup_steps", "weight_decay",
    "max_grad_norm", "optim", "bf16", "fp16", "gradient_checkpointing", "gradient_checkpointing_kwargs",
    "logging_strategy", "logging_steps", "logging_first_step", "logging_nan_inf_filter", "save_strategy", "save_steps",
    "save_total_limit", "eval_strategy", "eval_steps", "prediction_loss_only", "seed", "data_seed", "report_to",
    "disable_tqdm", "remove_unused_columns", "dataloader_num_workers", "log_level", "include_num_input_tokens_seen",
}
TRAINER_ARGS = {"model", "args", "data_collator", "train_dataset", "eval_dataset", "processing_class", "callbacks",
                "compute_metrics", "optimizers", "compute_loss_func", "preprocess_logits_for_metrics", "model_init"}
LORA_ARGS = {"r", "lora_alpha", "lora_dropout", "target_modules", "bias", "task_type", "modules_to_save"}
FROM_PRETRAINED = {"dtype", "device_map", "attn_implementation", "trust_remote_code", "revision", "quantization_config", "token"}
BNB_ARGS = {"load_in_4bit", "bnb_4bit_quant_type", "bnb_4bit_use_double_quant", "bnb_4bit_compute_dtype", "bnb_4bit_quant_storage"}


def only(allowed, kwargs, what):
    unknown = set(kwargs) - allowed
    assert not unknown, f"{what} has no argument(s) {sorted(unknown)}"


class Linear:
    pass


class Dataset:
    pass


def make_torch():
    props = types.SimpleNamespace(name="NVIDIA H100 80GB HBM3", major=9, minor=0)
    cuda = types.SimpleNamespace(
        is_available=lambda: True, device_count=lambda: 1, get_device_properties=lambda i: props,
        mem_get_info=lambda i: (70 * 2**30, 80 * 2**30), memory_allocated=lambda: 3 * 2**30,
        max_memory_allocated=lambda: 4 * 2**30, synchronize=lambda: None,
    )
    return types.SimpleNamespace(
        __version__="2.15.0", version=types.SimpleNamespace(cuda="12.8"), cuda=cuda, bfloat16="bf16", long="long",
        tensor=lambda v, dtype=None: v, nn=types.SimpleNamespace(Linear=Linear),
        utils=types.SimpleNamespace(data=types.SimpleNamespace(Dataset=Dataset)),
    )


class Model:
    def __init__(self, kwargs):
        self.kwargs = kwargs
        self.config = types.SimpleNamespace(use_cache=True)
        self.input_grads = False

    def enable_input_require_grads(self):
        self.input_grads = True

    def named_modules(self):
        for i in range(2):
            for leaf in ("self_attn.q_proj", "self_attn.v_proj", "mlp.up_proj"):
                yield f"model.layers.{i}.{leaf}", Linear()
        yield "model.layers.0.input_layernorm", object()


class PeftModel:
    def __init__(self, base, config):
        self.base, self.config = base, config

    def get_nb_trainable_parameters(self):
        return 1000, 10**6

    def save_pretrained(self, path):
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "adapter_model.safetensors"), "wb") as f:
            f.write(b"\0" * 4096)
        with open(os.path.join(path, "adapter_config.json"), "w") as f:
            f.write("{}")


class Trainer:
    """Walks the callback hooks in the order transformers calls them."""

    losses = None  # per step; set by a test

    def __init__(self, **kwargs):
        only(TRAINER_ARGS, kwargs, "Trainer")
        self.__dict__.update(kwargs)
        self.state = types.SimpleNamespace(global_step=0, max_steps=0, epoch=0.0)
        self.popped = []

    def pop_callback(self, cls):
        self.popped.append(cls.__name__)

    def _control(self):
        return types.SimpleNamespace(should_training_stop=False)

    def train(self):
        a = self.args
        per_epoch = math.ceil(math.ceil(len(self.train_dataset) / a["per_device_train_batch_size"]) / a["gradient_accumulation_steps"])
        self.state.max_steps = max(1, math.ceil(a["num_train_epochs"] * per_epoch))
        control = self._control()
        args = types.SimpleNamespace(output_dir=a["output_dir"])
        for cb in self.callbacks:
            cb.on_train_begin(args, self.state, control)
        rows = [self.train_dataset[i] for i in range(len(self.train_dataset))]
        while self.state.global_step < self.state.max_steps:
            self.data_collator(rows[: a["per_device_train_batch_size"]])
            self.state.global_step += 1
            self.state.epoch = self.state.global_step / per_epoch
            for cb in self.callbacks:
                cb.on_step_end(args, self.state, control)
            loss = (self.losses or {}).get(self.state.global_step, 1.0 / self.state.global_step)
            for cb in self.callbacks:
                cb.on_log(args, self.state, control, logs={"loss": loss, "grad_norm": 0.5, "learning_rate": 1e-4, "epoch": self.state.epoch})
            if a["save_strategy"] == "steps" and self.state.global_step % a["save_steps"] == 0:
                for cb in self.callbacks:
                    cb.on_save(args, self.state, control)
            if control.should_training_stop:
                break
        return types.SimpleNamespace(training_loss=0.5, metrics={"train_runtime": 2.0})

    def evaluate(self):
        for cb in self.callbacks:
            cb.on_evaluate(types.SimpleNamespace(output_dir=self.args["output_dir"]), self.state, self._control(),
                           metrics={"eval_loss": 0.7})
        return {"eval_loss": 0.7}


def make_transformers():
    def model_from_pretrained(name, **kwargs):
        only(FROM_PRETRAINED, kwargs, "from_pretrained")
        return Model(kwargs)

    def tokenizer_from_pretrained(name, **kwargs):
        only({"trust_remote_code", "revision", "token"}, kwargs, "AutoTokenizer.from_pretrained")
        tok = CharTokenizer()
        tok.save_pretrained = lambda path: None
        tok.eos_token_id = 1
        return tok

    def training_arguments(**kwargs):
        only(TRAINING_ARGUMENTS, kwargs, "TrainingArguments")
        return kwargs

    def bnb_config(**kwargs):
        only(BNB_ARGS, kwargs, "BitsAndBytesConfig")
        return kwargs

    tc = types.ModuleType("transformers.trainer_callback")
    tc.PrinterCallback = type("PrinterCallback", (), {})
    tc.ProgressCallback = type("ProgressCallback", (), {})
    m = types.ModuleType("transformers")
    m.AutoModelForCausalLM = types.SimpleNamespace(from_pretrained=model_from_pretrained)
    m.AutoTokenizer = types.SimpleNamespace(from_pretrained=tokenizer_from_pretrained)
    m.BitsAndBytesConfig = bnb_config
    m.TrainingArguments = training_arguments
    m.Trainer = Trainer
    m.TrainerCallback = type("TrainerCallback", (), {})
    m.logging = types.SimpleNamespace(set_verbosity_warning=lambda: None)
    m.set_seed = lambda seed: None
    m.trainer_callback = tc
    return m, tc


def make_peft():
    def lora_config(**kwargs):
        only(LORA_ARGS, kwargs, "LoraConfig")
        return kwargs

    def prepare(model, use_gradient_checkpointing=True, gradient_checkpointing_kwargs=None):
        model.kbit_prepared = True
        return model

    m = types.ModuleType("peft")
    m.LoraConfig = lora_config
    m.get_peft_model = lambda model, config: PeftModel(model, config)
    m.prepare_model_for_kbit_training = prepare
    return m


def modules():
    transformers, tc = make_transformers()
    return {"torch": make_torch(), "transformers": transformers, "transformers.trainer_callback": tc, "peft": make_peft()}
