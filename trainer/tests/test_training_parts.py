"""The parts of training.py that run without a GPU, driven with stand-ins for the tokenizer,
torch and transformers' TrainerCallback (the real ones exist only on a GPU host)."""

import os
import sys
import types
import unittest
from unittest import mock

from ftbot_trainer import training
from ftbot_trainer.data import IGNORE
from ftbot_trainer.events import EventLog
from ftbot_trainer.guards import CancelFlag
from ftbot_trainer.run import RunState

from .helpers import TempDirTest, chat, read_events
from .test_data import chatml


class CharTokenizer:
    """One token per character, ChatML template: labels can be read back as text."""

    eos_token = "<|im_end|>"
    chat_template = "chatml"
    pad_token_id = 0

    def __init__(self, offsets=True):
        self.offsets = offsets

    def apply_chat_template(self, messages, tools=None, tokenize=False, add_generation_prompt=False):
        assert tokenize is False
        return chatml(messages, add_generation_prompt)

    def __call__(self, text, add_special_tokens=True, return_offsets_mapping=False):
        assert add_special_tokens is False
        out = {"input_ids": [ord(c) for c in text]}
        if return_offsets_mapping:
            if not self.offsets:
                raise NotImplementedError("return_offsets_mapping is not available")
            out["offset_mapping"] = [(i, i + 1) for i in range(len(text))]
        return out


def trained(e):
    return "".join(chr(x) for x in e.labels if x != IGNORE)


class Encode(unittest.TestCase):
    EXAMPLES = [
        chat(("user", "Q"), ("assistant", "A1", 0), ("user", "Q2"), ("assistant", "A2")),
        chat(("system", "S"), ("user", "Q"), ("assistant", "Answer")),
    ]

    def test_only_assistant_tokens_are_labelled(self):
        enc, counts = training.encode_examples(CharTokenizer(), self.EXAMPLES, 4096)
        self.assertEqual([trained(e) for e in enc], ["A2<|im_end|>\n", "Answer<|im_end|>\n"])
        self.assertEqual((counts["truncated"], counts["template_fallbacks"], counts["skipped"]), (0, 0, {}))

    def test_tokenizers_without_offsets_give_the_same_labels(self):
        with_offsets, _ = training.encode_examples(CharTokenizer(), self.EXAMPLES, 4096)
        without, _ = training.encode_examples(CharTokenizer(offsets=False), self.EXAMPLES, 4096)
        self.assertEqual([e.labels for e in without], [e.labels for e in with_offsets])

    def test_truncation_is_counted_and_an_example_left_with_nothing_is_skipped(self):
        long_answer = chat(("user", "Q"), ("assistant", "x" * 200))
        late_answer = chat(("user", "y" * 200), ("assistant", "A"))
        enc, counts = training.encode_examples(CharTokenizer(), [long_answer, late_answer], 64)
        self.assertEqual(len(enc), 1)
        self.assertEqual(len(enc[0].input_ids), 64)
        self.assertEqual(counts["truncated"], 2)
        self.assertEqual(counts["skipped"], {"no_trainable_token_after_truncation": 1})

    def test_rows_plain_and_packed(self):
        enc, _ = training.encode_examples(CharTokenizer(), self.EXAMPLES, 4096)
        self.assertEqual(len(training.build_rows(enc, False, 4096)), 2)
        packed = training.build_rows(enc, True, 4096)
        self.assertEqual(len(packed), 1)
        self.assertEqual(len(packed[0]["input_ids"]), sum(len(e.input_ids) for e in enc))


def fake_torch():
    return types.SimpleNamespace(
        long="long",
        tensor=lambda v, dtype=None: ("tensor", v),
        cuda=types.SimpleNamespace(memory_allocated=lambda: 5 * 2**30, max_memory_allocated=lambda: 7 * 2**30),
    )


class Callback(TempDirTest):
    def setUp(self):
        super().setUp()
        fake_transformers = types.ModuleType("transformers")
        fake_transformers.TrainerCallback = type("TrainerCallback", (), {})
        patcher = mock.patch.dict(sys.modules, {"transformers": fake_transformers})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.log = EventLog(self.path("events.jsonl"))
        self.addCleanup(self.log.close)
        self.state = RunState()
        self.collate = training.Collator(0, fake_torch())
        self.cb = training.make_callback(self.log, CancelFlag(self.dir), self.state, self.collate, fake_torch(),
                                         {"examples": 3, "tokens": 99}, max_nonfinite=2)
        self.args = types.SimpleNamespace(output_dir=self.path("out"))
        self.tstate = types.SimpleNamespace(max_steps=10, global_step=0, epoch=0.0)
        self.control = types.SimpleNamespace(should_training_stop=False)

    def events(self):
        return read_events(self.path("events.jsonl"))

    def step(self, loss, grad_norm=1.0):
        self.tstate.global_step += 1
        self.collate([{"input_ids": [1, 2, 3], "labels": [1, 2, 3]}])
        self.cb.on_step_end(self.args, self.tstate, self.control)
        self.cb.on_log(self.args, self.tstate, self.control, logs={"loss": loss, "grad_norm": grad_norm, "learning_rate": 2e-4, "epoch": 0.1})

    def test_started_then_steps_with_the_documented_fields(self):
        self.cb.on_train_begin(self.args, self.tstate, self.control)
        self.step(1.25)
        started, step = self.events()
        self.assertEqual((started["type"], started["total_steps"], started["examples"], started["tokens"]), ("started", 10, 3, 99))
        self.assertEqual(set(step) - {"type", "seq", "time"}, {
            "step", "total_steps", "loss", "learning_rate", "epoch", "grad_norm", "tokens_per_second", "tokens_seen",
            "gpu_memory_bytes", "gpu_memory_peak_bytes", "elapsed_s"})
        self.assertEqual((step["step"], step["loss"], step["tokens_seen"], step["gpu_memory_bytes"]), (1, 1.25, 3, 5 * 2**30))
        self.assertEqual(self.state.step, 1)

    def test_k_non_finite_losses_in_a_row_stop_training(self):
        self.cb.on_train_begin(self.args, self.tstate, self.control)
        self.step(float("nan"))
        self.assertFalse(self.control.should_training_stop)
        self.step(0.0, float("inf"))
        self.assertTrue(self.control.should_training_stop)
        self.assertTrue(self.cb.nonfinite.tripped)
        self.assertEqual([(e["loss"], e["grad_norm"]) for e in self.events()[1:]], [(None, 1.0), (0.0, None)])

    def test_the_cancel_flag_stops_at_the_next_step(self):
        self.step(1.0)
        self.assertFalse(self.control.should_training_stop)
        open(self.path("cancel"), "w").close()
        self.step(1.0)
        self.assertTrue(self.control.should_training_stop)
        self.assertTrue(self.cb.cancelled)

    def test_summary_logs_are_not_steps(self):
        self.cb.on_log(self.args, self.tstate, self.control, logs={"train_runtime": 12.0, "train_loss": 1.0})
        self.assertEqual(self.events(), [])

    def test_checkpoints_and_evals(self):
        self.tstate.global_step = 50
        self.cb.on_save(self.args, self.tstate, self.control)
        self.cb.on_evaluate(self.args, self.tstate, self.control, metrics={"eval_loss": 0.8, "eval_runtime": 3.0, "epoch": 1.0})
        ck, ev = self.events()
        self.assertEqual((ck["type"], ck["path"], ck["step"]), ("checkpoint", os.path.join(self.path("out"), "checkpoint-50"), 50))
        self.assertEqual((ev["type"], ev["eval_loss"], ev["metrics"]), ("eval", 0.8, {"eval_loss": 0.8, "eval_runtime": 3.0}))
        self.assertEqual(self.cb.last_checkpoint, ck["path"])

    def test_eval_batches_are_not_counted_as_training_tokens(self):
        self.collate([{"input_ids": [1, 2], "labels": [1, 2], "_eval": True}])
        batch = self.collate([{"input_ids": [1, 2, 3, 4], "labels": [1, 2, 3, 4]}])
        self.assertEqual(self.collate.tokens, 4)
        self.assertEqual(batch["input_ids"][0], "tensor")
        self.assertIn("attention_mask", batch)
