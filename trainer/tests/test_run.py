"""The run's order of checks and its one final event, without torch: the packages are reported
present or missing as each test needs, and the torch part is replaced where a test gets that far."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import types
import unittest
from unittest import mock

import ftbot_trainer
from ftbot_trainer import preflight, run
from ftbot_trainer.events import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EventLog
from ftbot_trainer.guards import CancelFlag

from .helpers import TRAINER, TempDirTest, chat, read_events

GOOD = [chat(("user", f"q{i}"), ("assistant", f"a{i}")) for i in range(4)]
# Stand-ins for the hub and the disk: these tests never reach the network.
READABLE = {"source": "hub", "reachable": True, "gated": False, "parameters": 10**9, "reason": None}
ROOMY = {"ok": True, "checks": [], "lora_params": 1, "how": ""}
PRESENT = {n: {"required": ">=0", "version": "9.9", "ok": True, "for": ""} for n in ("torch", "transformers", "peft", "accelerate")}


class Run(TempDirTest):
    def go(self, spec, rows=GOOD, packages=PRESENT, training=None, model=None):
        self.write("spec.json", json.dumps(spec) if not isinstance(spec, str) else spec)
        if rows is not None:
            self.write_jsonl("train.jsonl", rows)
        log = EventLog(self.path("events.jsonl"))
        fake = training or types.SimpleNamespace(train=lambda *a: self.fail("training should not start"))
        # Both the module table and the package attribute: `from . import training` reads the
        # attribute once another test has imported the real module.
        with mock.patch.object(preflight, "package_report", return_value=packages), \
                mock.patch.object(preflight, "model_report", return_value=model or READABLE), \
                mock.patch.object(preflight, "disk_report", return_value=ROOMY), \
                mock.patch.dict(sys.modules, {"ftbot_trainer.training": fake}), \
                mock.patch.object(ftbot_trainer, "training", fake, create=True):
            code = run.run(self.dir, self.path("spec.json"), log, CancelFlag(self.dir), run.RunState())
        log.close()
        return code, read_events(self.path("events.jsonl"))

    def test_a_bad_spec_names_every_field(self):
        code, events = self.go({"base_model": "org/m", "r": -1, "packing": "no"})
        self.assertEqual(code, EXIT_FAILED)
        self.assertEqual([e["type"] for e in events], ["preparing", "error"])
        err = events[-1]
        self.assertEqual(err["reason"], "bad_spec")
        self.assertEqual({f["field"] for f in err["fields"]}, {"r", "packing"})
        self.assertEqual(err["traceback"], [])

    def test_spec_that_is_not_json(self):
        code, events = self.go("{nope")
        self.assertEqual((code, events[-1]["reason"]), (EXIT_FAILED, "bad_spec"))

    def test_bad_data_comes_before_the_packages(self):
        code, events = self.go({"base_model": "org/m"}, rows=None, packages={})
        self.assertEqual(events[-1]["reason"], "bad_data")
        self.assertIn("does not exist", events[-1]["message"])

    def test_missing_packages(self):
        missing = {n: {**p, "ok": False, "version": None} for n, p in PRESENT.items()}
        code, events = self.go({"base_model": "org/m"}, packages=missing)
        err = events[-1]
        self.assertEqual((code, err["reason"]), (EXIT_FAILED, "missing_package"))
        self.assertEqual(err["missing"], ["torch", "transformers", "peft", "accelerate"])
        self.assertIn("pip install", err["hint"])

    def test_a_gated_model_fails_before_the_gpu_is_touched(self):
        gated = {**READABLE, "reachable": False, "gated": True, "reason": "GatedRepoError: 403", "token_present": True}
        code, events = self.go({"base_model": "meta-llama/Llama-3.1-8B"}, model=gated)
        err = events[-1]
        self.assertEqual((code, err["reason"], err["gpu_seconds"]), (EXIT_FAILED, "gated_model", 0.0))
        self.assertIn("access", err["hint"])

    def test_a_cancel_before_training_exits_3(self):
        open(self.path("cancel"), "w").close()
        code, events = self.go({"base_model": "org/m"})
        self.assertEqual((code, events[-1]["reason"]), (EXIT_CANCELLED, "cancelled"))

    def test_success_is_whatever_training_reports(self):
        def train(spec, dataset, log, cancel, state, model):
            self.assertEqual(len(dataset.examples), 4)
            self.assertEqual(spec["dataset"], self.path("train.jsonl"))
            log.emit("finished", adapter_path="x", adapter_bytes=1, metrics={}, gpu_seconds=1.0)

        code, events = self.go({"base_model": "org/m"}, training=types.SimpleNamespace(train=train))
        self.assertEqual((code, events[-1]["type"]), (EXIT_OK, "finished"))

    def test_an_unexpected_exception_carries_its_traceback_and_the_last_step(self):
        def train(spec, dataset, log, cancel, state, model):
            state.step = 12
            raise RuntimeError("CUDA error: an illegal memory access was encountered")

        with mock.patch("sys.stderr"):
            code, events = self.go({"base_model": "org/m"}, training=types.SimpleNamespace(train=train))
        err = events[-1]
        self.assertEqual((code, err["reason"], err["step"], err["exception"]), (EXIT_FAILED, "unknown", 12, "RuntimeError"))
        self.assertTrue(any("illegal memory access" in line for line in err["traceback"]))


class Script(TempDirTest):
    """train_lora.py as the bot runs it: its exit status, exit_code and stdout."""

    def script(self, *args, env=None, **kw):
        return subprocess.run([sys.executable, os.path.join(TRAINER, "train_lora.py"), *args],
                              capture_output=True, text=True, timeout=60, env=env, **kw)

    def test_usage(self):
        r = self.script()
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage", r.stderr)
        self.assertEqual(self.script(self.path("missing-folder", "spec.json")).returncode, 2)

    def test_exit_code_is_written_when_the_spec_is_missing(self):
        r = self.script(self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.read("exit_code"), "1\n")
        self.assertEqual([json.loads(x)["type"] for x in r.stdout.splitlines()], ["preparing", "error"])

    def test_sigterm_keeps_the_adapter_and_exits_3(self):
        # A stand-in for the torch part that trains "forever"; the package check is told all is there.
        driver = self.write("driver.py", textwrap.dedent(f"""
            import sys, time, types
            sys.path.insert(0, {TRAINER!r})
            sys.argv = ["train_lora.py", {self.dir!r}]
            from ftbot_trainer import preflight
            preflight.package_report = lambda method: {{}}
            preflight.model_report = lambda spec: {{"reachable": True}}
            preflight.disk_report = lambda spec, model: {{"ok": True, "checks": []}}
            from ftbot_trainer.errors import Cancelled

            def train(spec, dataset, log, cancel, state, model):
                log.emit("started", total_steps=1000)
                step = 0
                try:
                    while True:
                        step += 1
                        state.step = step
                        log.emit("step", step=step, loss=float("nan") if step == 2 else 1.0)
                        time.sleep(0.02)
                except Cancelled:
                    state.adapter_path, state.adapter_bytes = "/out/adapter", 1234
                    raise

            sys.modules["ftbot_trainer.training"] = types.SimpleNamespace(train=train)
            import runpy
            runpy.run_path({os.path.join(TRAINER, "train_lora.py")!r}, run_name="__main__")
        """))
        self.write("spec.json", json.dumps({"base_model": "org/m"}))
        self.write_jsonl("train.jsonl", GOOD)
        proc = subprocess.Popen([sys.executable, driver], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(self.path("events.jsonl")) and self.read("events.jsonl").count('"step"') >= 3:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, EXIT_CANCELLED, err)
        self.assertEqual(self.read("exit_code"), "3\n")
        events = read_events(self.path("events.jsonl"))  # strict: the NaN step is null
        self.assertIsNone(events[3]["loss"])
        last = events[-1]
        self.assertEqual((last["type"], last["reason"], last["adapter_path"], last["adapter_bytes"]),
                         ("error", "cancelled", "/out/adapter", 1234))
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        self.assertNotIn("Traceback", out)
        self.assertEqual([json.loads(x) for x in out.splitlines()], events)


if __name__ == "__main__":
    unittest.main()
