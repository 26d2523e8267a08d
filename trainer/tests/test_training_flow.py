"""training.train() end to end against the stand-ins in fake_hf: the order of events, what each
way out leaves behind, and the arguments handed to transformers and peft."""

import json
import os
import sys
from unittest import mock

from ftbot_trainer import data, training
from ftbot_trainer.errors import TrainerFailure
from ftbot_trainer.events import EventLog
from ftbot_trainer.guards import CancelFlag
from ftbot_trainer.run import RunState
from ftbot_trainer.spec import resolve_paths, validate

from . import fake_hf
from .helpers import TempDirTest, chat, read_events


class Flow(TempDirTest):
    def setUp(self):
        super().setUp()
        patcher = mock.patch.dict(sys.modules, fake_hf.modules())
        patcher.start()
        self.addCleanup(patcher.stop)
        fake_hf.Trainer.losses = None
        self.state = RunState()

    def train(self, **spec):
        rows = [chat(("user", f"q{i}"), ("assistant", f"answer {i}")) for i in range(16)]
        s = resolve_paths(validate({"base_model": "org/model", "batch_size": 2, "gradient_accumulation": 1, "epochs": 1,
                                    "save_steps": 4, **spec}), self.dir)
        log = EventLog(self.path("events.jsonl"))
        self.addCleanup(log.close)
        model = {"reachable": True, "parameters": 10**9}
        try:
            training.train(s, data.read_examples([json.dumps(r) for r in rows]), log, CancelFlag(self.dir), self.state, model)
            return None, read_events(self.path("events.jsonl"))
        except TrainerFailure as f:
            return f, read_events(self.path("events.jsonl"))

    def test_success(self):
        failure, events = self.train(eval_fraction=0.25)
        self.assertIsNone(failure)
        types = [e["type"] for e in events]
        self.assertEqual(types[:3], ["preparing", "preparing", "started"])
        self.assertEqual(types[-3:], ["eval", "preparing", "finished"])
        started = events[2]
        self.assertEqual((started["examples"], started["eval_examples"], started["total_steps"]), (12, 4, 6))
        self.assertEqual(started["gpu_name"], "NVIDIA H100 80GB HBM3")
        self.assertEqual([e["step"] for e in events if e["type"] == "checkpoint"], [4])
        self.assertEqual(len([e for e in events if e["type"] == "step"]), 6)
        done = events[-1]
        self.assertEqual(done["adapter_path"], self.path("output", "adapter"))
        self.assertEqual(done["adapter_bytes"], 4096)
        self.assertEqual(done["metrics"]["eval_loss"], 0.7)
        self.assertEqual(done["metrics"]["steps"], 6)
        self.assertGreater(done["gpu_seconds"], 0)

    def test_cancel_keeps_the_adapter(self):
        fake_hf.Trainer.losses = {2: 1.0}
        original = fake_hf.Trainer.train

        def train_and_cancel(trainer):
            open(self.path("cancel"), "w").close()
            return original(trainer)

        with mock.patch.object(fake_hf.Trainer, "train", train_and_cancel):
            failure, events = self.train()
        self.assertEqual(failure.reason, "cancelled")
        self.assertIn("at step 1 of", failure.message)
        self.assertEqual(self.state.adapter_path, self.path("output", "adapter"))
        self.assertTrue(os.path.isfile(self.path("output", "adapter", "adapter_model.safetensors")))

    def test_non_finite_losses_stop_with_nan_loss_and_no_adapter(self):
        fake_hf.Trainer.losses = {2: float("nan"), 3: float("nan"), 4: float("inf")}
        failure, events = self.train()
        self.assertEqual(failure.reason, "nan_loss")
        self.assertIn("3 logged steps in a row", failure.message)
        self.assertEqual([e["loss"] for e in events if e["type"] == "step"][1:], [None, None, None])
        self.assertIsNone(self.state.adapter_path)

    def test_qlora_and_attention_targets(self):
        captured = {}
        real_add = training.add_lora

        def spy(model, spec, torch):
            out = real_add(model, spec, torch)
            captured["model"], captured["lora"] = model, out.config
            return out

        with mock.patch.object(training, "add_lora", spy), mock.patch("ftbot_trainer.preflight.probe_bitsandbytes"):
            failure, _ = self.train(method="qlora", target_modules="attention", packing=True)
        self.assertIsNone(failure)
        self.assertEqual(captured["lora"]["target_modules"], ["q_proj", "v_proj"])
        self.assertTrue(captured["model"].kbit_prepared)
        q = captured["model"].kwargs["quantization_config"]
        self.assertEqual((q["bnb_4bit_quant_type"], q["bnb_4bit_use_double_quant"], q["bnb_4bit_compute_dtype"]), ("nf4", True, "bf16"))
        self.assertFalse(captured["model"].config.use_cache)

    def test_lora_in_bf16_keeps_inputs_in_the_graph(self):
        captured = {}
        real_load = training.load_model

        def spy(spec, torch):
            captured["model"] = real_load(spec, torch)
            return captured["model"]

        with mock.patch.object(training, "load_model", spy):
            self.train()
        self.assertEqual(captured["model"].kwargs["dtype"], "bf16")
        self.assertNotIn("quantization_config", captured["model"].kwargs)
        self.assertTrue(captured["model"].input_grads)
