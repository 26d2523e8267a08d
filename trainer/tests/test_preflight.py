import importlib.metadata
import os
import sys
import types
import unittest
from unittest import mock

from ftbot_trainer import preflight
from ftbot_trainer.spec import resolve_paths, validate

from .helpers import TempDirTest
from .test_estimate import LLAMA_1B, write_safetensors


def finder(present: dict):
    """A find_spec/version pair for a machine with exactly these packages."""

    def find_spec(name):
        return object() if name in present else None

    def version(dist):
        if dist in present:
            return present[dist]
        raise importlib.metadata.PackageNotFoundError(dist)

    return find_spec, version


ALL = {"torch": "2.15.0", "transformers": "5.23.0", "peft": "0.21.2", "accelerate": "1.15.0", "bitsandbytes": "0.50.2"}


class Packages(unittest.TestCase):
    def test_all_there(self):
        report = preflight.package_report("qlora", *finder(ALL))
        self.assertTrue(all(p["ok"] for p in report.values()))
        self.assertIsNone(preflight.missing_failure(report))

    def test_missing_and_too_old_are_named_with_the_install_command(self):
        present = {**ALL, "transformers": "4.57.1"}
        del present["torch"]
        report = preflight.package_report("lora", *finder(present))
        self.assertNotIn("bitsandbytes", report)  # lora does not need it
        failure = preflight.missing_failure(report)
        self.assertEqual(failure.reason, "missing_package")
        self.assertEqual(failure.extra["missing"], ["torch", "transformers"])
        self.assertIn("transformers (needs >=5.0, found 4.57.1)", failure.message)
        self.assertIn("pip install -r", failure.hint)
        self.assertTrue(os.path.isfile(preflight.REQUIREMENTS))

    def test_qlora_needs_bitsandbytes(self):
        present = dict(ALL)
        del present["bitsandbytes"]
        self.assertEqual(preflight.missing_failure(preflight.package_report("qlora", *finder(present))).extra["missing"], ["bitsandbytes"])

    def test_requirements_pin_every_package_checked(self):
        with open(preflight.REQUIREMENTS) as f:
            pinned = {line.split("==")[0].strip() for line in f if "==" in line and not line.startswith("#")}
        wanted = {d for d, _, _ in list(preflight.PACKAGES.values()) + list(preflight.QLORA_PACKAGES.values())}
        self.assertEqual(pinned, wanted)


def gpu(name="NVIDIA H100 80GB HBM3", cap="9.0", free=70 * 2**30):
    return {"available": True, "count": 1, "source": "torch", "reason": None, "devices": [
        {"index": 0, "name": name, "memory_bytes": 80 * 2**30, "free_bytes": free, "compute_capability": cap,
         "bf16": float(cap) >= 8}]}


class Gpu(unittest.TestCase):
    def test_none(self):
        with mock.patch("shutil.which", return_value=None):
            report = preflight.gpu_report(find_spec=lambda n: None)
        self.assertFalse(report["available"])
        f = preflight.gpu_failure(report, "lora")
        self.assertEqual(f.reason, "no_gpu")
        self.assertIn("nvidia-smi", f.message)

    def test_no_bf16_is_refused_rather_than_trained_in_another_mode(self):
        f = preflight.gpu_failure(gpu("Tesla V100-SXM2-16GB", "7.0"), "qlora")
        self.assertEqual(f.reason, "no_gpu")
        self.assertIn("4-bit with bf16 compute", f.message)
        self.assertIn("will not fall back", f.message)
        self.assertIsNone(preflight.gpu_failure(gpu(), "qlora"))

    def test_weights_that_cannot_fit(self):
        f = preflight.gpu_memory_failure(gpu(free=10 * 2**30), {"parameters": 8 * 10**9}, "lora")
        self.assertEqual(f.reason, "cuda_oom")
        self.assertIsNone(preflight.gpu_memory_failure(gpu(free=10 * 2**30), {"parameters": 8 * 10**9}, "qlora"))

    def test_nvidia_smi_without_torch(self):
        out = "0, NVIDIA A100-SXM4-40GB, 40960, 40000, 8.0\n"
        done = types.SimpleNamespace(stdout=out)
        with mock.patch("shutil.which", return_value="/usr/bin/nvidia-smi"), mock.patch("subprocess.run", return_value=done):
            report = preflight.gpu_report(find_spec=lambda n: None)
        self.assertTrue(report["available"])
        self.assertEqual(report["devices"][0]["name"], "NVIDIA A100-SXM4-40GB")
        self.assertEqual(report["devices"][0]["memory_bytes"], 40960 * 2**20)
        self.assertTrue(report["devices"][0]["bf16"])


class LocalModel(TempDirTest):
    def test_missing_folder_config_and_weights(self):
        self.assertIn("not a folder", preflight.local_model_report(self.path("nope"))["reason"])
        os.makedirs(self.path("m"))
        self.assertIn("no config.json", preflight.local_model_report(self.path("m"))["reason"])
        self.write("m/config.json", "{}")
        r = preflight.local_model_report(self.path("m"))
        self.assertFalse(r["reachable"])
        self.assertIn("no weights", r["reason"])
        f = preflight.model_failure(r, "/m")
        self.assertEqual(f.reason, "model_not_found")

    def test_a_model_folder_is_sized_from_its_headers(self):
        self.write("m/config.json", "{}")
        write_safetensors(self.path("m/model.safetensors"), {"w": ("BF16", [8, 8])})
        r = preflight.local_model_report(self.path("m"))
        self.assertTrue(r["reachable"])
        self.assertEqual((r["parameters"], r["weights_bytes"], r["parameters_source"]), (64, 128, "safetensors headers"))


class FakeHub(types.ModuleType):
    """huggingface_hub as far as the pre-flight uses it, with a chosen failure."""

    def __init__(self, error=None, config=None, tmp=None):
        super().__init__("huggingface_hub")
        self.error, self.config, self.tmp = error, config, tmp

    def hf_hub_download(self, repo_id, filename, revision=None):
        if self.error:
            raise self.error
        path = os.path.join(self.tmp, "config.json")
        with open(path, "w") as f:
            import json

            json.dump(self.config, f)
        return path

    def get_safetensors_metadata(self, repo_id, revision=None):
        return types.SimpleNamespace(parameter_count={"BF16": 1_235_814_400})

    def try_to_load_from_cache(self, repo_id, filename, revision=None):
        return None

    def get_token(self):
        return None


class GatedRepoError(Exception):
    pass


class HubModel(TempDirTest):
    def test_a_gated_repo_is_caught_before_any_gpu_time(self):
        hub = FakeHub(error=GatedRepoError("403 Forbidden: Cannot access gated repo"))
        with mock.patch.dict(sys.modules, {"huggingface_hub": hub}), mock.patch.dict(os.environ, {}, clear=False):
            os.environ.pop("HF_TOKEN", None)
            os.environ.pop("HUGGING_FACE_HUB_TOKEN", None)
            r = preflight.hub_model_report("meta-llama/Llama-3.2-1B", None)
        self.assertEqual((r["reachable"], r["gated"], r["token_present"]), (False, True, False))
        f = preflight.model_failure(r, "meta-llama/Llama-3.2-1B")
        self.assertEqual(f.reason, "gated_model")
        self.assertIn("no token is set", f.hint)

    def test_a_readable_repo_is_sized_from_the_hub_metadata(self):
        hub = FakeHub(config=LLAMA_1B, tmp=self.dir)
        with mock.patch.dict(sys.modules, {"huggingface_hub": hub}):
            r = preflight.hub_model_report("meta-llama/Llama-3.2-1B", None)
        self.assertTrue(r["reachable"])
        self.assertEqual((r["parameters"], r["weights_bytes"]), (1_235_814_400, 2 * 1_235_814_400))
        self.assertEqual(r["parameters_source"], "hub safetensors metadata")
        self.assertFalse(r["cached"])

    def test_without_huggingface_hub_the_answer_is_unknown(self):
        with mock.patch.dict(sys.modules, {"huggingface_hub": None}):
            r = preflight.hub_model_report("org/m", None)
        self.assertIsNone(r["reachable"])
        self.assertIsNone(preflight.model_failure(r, "org/m"))


class DiskCheck(TempDirTest):
    def spec(self):
        self.write("m/config.json", __import__("json").dumps(LLAMA_1B))
        write_safetensors(self.path("m/model.safetensors"), {"w": ("BF16", [8, 8])})
        return resolve_paths(validate({"base_model": self.path("m"), "save_steps": 50}), self.dir)

    def test_enough_room(self):
        spec = self.spec()
        report = preflight.disk_report(spec, preflight.local_model_report(spec["base_model"]))
        self.assertTrue(report["ok"], report)
        self.assertEqual(report["lora_params"], 11_272_192)
        self.assertIn("checkpoints", report["how"])

    def test_not_enough_room(self):
        spec = self.spec()
        usage = types.SimpleNamespace(total=10 * 2**30, used=10 * 2**30 - 2**20, free=2**20)
        with mock.patch("shutil.disk_usage", return_value=usage):
            report = preflight.disk_report(spec, preflight.local_model_report(spec["base_model"]))
        self.assertFalse(report["ok"])
        f = preflight.disk_failure(report)
        self.assertEqual(f.reason, "disk_full")
        self.assertIn("GiB free", f.message)
