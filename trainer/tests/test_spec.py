import os
import unittest

from ftbot_trainer.spec import FIELDS, SpecError, describe, resolve_paths, validate


def errors_of(raw) -> dict:
    try:
        validate(raw)
    except SpecError as e:
        return {f["field"]: f["message"] for f in e.fields}
    return {}


class Validate(unittest.TestCase):
    def test_defaults_fill_everything_but_the_model(self):
        spec = validate({"base_model": "Qwen/Qwen2.5-0.5B-Instruct"})
        self.assertEqual(set(spec), set(FIELDS))
        self.assertEqual(spec["method"], "lora")
        self.assertEqual(spec["target_modules"], "all-linear")
        self.assertEqual(spec["max_nonfinite_losses"], 3)
        self.assertTrue(spec["gradient_checkpointing"])
        self.assertEqual(spec["dataset"], "train.jsonl")

    def test_every_bad_field_is_named_at_once(self):
        errs = errors_of({
            "base_model": "org/model", "method": "full", "r": 0, "dropout": 1.5, "epochs": 0,
            "learning_rate": -1, "batch_size": 2.5, "packing": "yes", "eval_fraction": 0.9,
            "target_modules": "mlp", "learning_rat": 1,
        })
        self.assertEqual(set(errs), {"method", "r", "dropout", "epochs", "learning_rate", "batch_size", "packing",
                                     "eval_fraction", "target_modules", "learning_rat"})
        self.assertIn("lora, qlora", errs["method"])
        self.assertIn(">= 1", errs["r"])
        self.assertIn("> 0", errs["epochs"])
        self.assertIn("whole number", errs["batch_size"])
        self.assertIn("true or false", errs["packing"])
        self.assertIn("did you mean learning_rate", errs["learning_rat"])

    def test_the_model_is_required(self):
        self.assertEqual(errors_of({}), {"base_model": "is required"})

    def test_json_bools_are_not_numbers_and_whole_floats_are_ints(self):
        self.assertIn("r", errors_of({"base_model": "m/x", "r": True}))
        self.assertIn("gradient_checkpointing", errors_of({"base_model": "m/x", "gradient_checkpointing": 1}))
        spec = validate({"base_model": "m/x", "r": 8.0})
        self.assertEqual(spec["r"], 8)
        self.assertIsInstance(spec["r"], int)

    def test_non_finite_and_null_values(self):
        self.assertIn("learning_rate", errors_of({"base_model": "m/x", "learning_rate": float("nan")}))
        self.assertIn("epochs", errors_of({"base_model": "m/x", "epochs": None}))
        self.assertEqual(validate({"base_model": "m/x", "eval_steps": None})["eval_steps"], None)

    def test_hub_ids_and_paths(self):
        for ok in ("gpt2", "meta-llama/Llama-3.1-8B-Instruct", "/models/llama", "./model", "~/m"):
            self.assertEqual(errors_of({"base_model": ok}), {}, ok)
        self.assertIn("base_model", errors_of({"base_model": "not a/model id"}))
        self.assertIn("revision", errors_of({"base_model": "/models/llama", "revision": "main"}))

    def test_not_an_object(self):
        self.assertIn("(spec)", errors_of([1, 2]))


class Paths(unittest.TestCase):
    def test_relative_paths_are_relative_to_the_job_folder(self):
        spec = resolve_paths(validate({"base_model": "./base", "dataset": "data/t.jsonl"}), "/jobs/j1")
        self.assertEqual(spec["dataset"], "/jobs/j1/data/t.jsonl")
        self.assertEqual(spec["output_dir"], "/jobs/j1/output")
        self.assertEqual(spec["base_model"], "/jobs/j1/base")
        hub = resolve_paths(validate({"base_model": "org/m", "output_dir": "/scratch/o"}), "/jobs/j1")
        self.assertEqual(hub["base_model"], "org/m")
        self.assertEqual(hub["output_dir"], "/scratch/o")

    def test_home_is_expanded(self):
        spec = resolve_paths(validate({"base_model": "~/models/x"}), "/jobs/j1")
        self.assertEqual(spec["base_model"], os.path.join(os.path.expanduser("~"), "models", "x"))


class Describe(unittest.TestCase):
    def test_every_field_is_documented(self):
        rows = describe()
        self.assertEqual([r["field"] for r in rows], list(FIELDS))
        for r in rows:
            self.assertTrue(r["doc"], r["field"])
