import json
import struct
import unittest

from ftbot_trainer import estimate

from .helpers import TempDirTest

# Llama-3.2-1B's config.json, trimmed to what the estimate reads.
LLAMA_1B = {
    "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
    "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256, "tie_word_embeddings": True,
}


def write_safetensors(path, tensors):
    """tensors: {name: (dtype, shape)}; writes a valid header and zeroed data."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, (dtype, shape) in tensors.items():
        n = 1
        for d in shape:
            n *= d
        size = n * estimate.DTYPE_BYTES[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)


class Versions(unittest.TestCase):
    def test_parse_and_compare(self):
        self.assertEqual(estimate.version_tuple("2.15.0+cu128"), (2, 15, 0))
        self.assertEqual(estimate.version_tuple("5.0.0rc1"), (5, 0, 0))
        self.assertEqual(estimate.version_tuple("0.21.2.dev0"), (0, 21, 2))
        self.assertTrue(estimate.at_least("5.23.0", "5.0"))
        self.assertTrue(estimate.at_least("5", "5.0"))
        self.assertFalse(estimate.at_least("4.57.1", "5.0"))
        self.assertFalse(estimate.at_least(None, "1.0"))
        self.assertFalse(estimate.at_least("garbage", "1.0"))


class Params(TempDirTest):
    def test_config_estimate_matches_the_published_count(self):
        # Meta publishes 1,235,814,400 parameters for Llama-3.2-1B.
        self.assertEqual(estimate.params_from_config(LLAMA_1B), 1_235_814_400)

    def test_untied_embeddings_count_twice(self):
        untied = {**LLAMA_1B, "tie_word_embeddings": False}
        self.assertEqual(estimate.params_from_config(untied) - estimate.params_from_config(LLAMA_1B), 128256 * 2048)

    def test_lora_size(self):
        # What peft prints for r=16 on every linear layer of Llama-3.2-1B: 11,272,192.
        self.assertEqual(estimate.lora_params(LLAMA_1B, 16, "all-linear"), 11_272_192)
        # q, k, v, o per layer: 16 x (4096 + 2560 + 2560 + 4096) = 212,992, times 16 layers.
        self.assertEqual(estimate.lora_params(LLAMA_1B, 16, "attention"), 16 * 212_992)

    def test_unknown_layouts(self):
        self.assertIsNone(estimate.params_from_config({"n_embd": 768}))
        self.assertIsNone(estimate.lora_params({}, 8, "all-linear"))

    def test_nested_text_config(self):
        self.assertEqual(estimate.params_from_config({"text_config": LLAMA_1B}), 1_235_814_400)

    def test_safetensors_headers_count_exactly(self):
        a, b = self.path("model-00001-of-00002.safetensors"), self.path("model-00002-of-00002.safetensors")
        write_safetensors(a, {"embed.weight": ("BF16", [10, 4]), "norm.weight": ("F32", [4])})
        write_safetensors(b, {"lm_head.weight": ("BF16", [10, 4])})
        self.assertEqual(estimate.local_weight_files(self.dir), [a, b])
        self.assertEqual(estimate.count_safetensors([a, b]), {"parameters": 84, "bytes": 40 * 2 + 16 + 40 * 2})

    def test_a_file_that_is_not_safetensors(self):
        p = self.path("x.safetensors")
        with open(p, "wb") as f:
            f.write(struct.pack("<Q", 2**40))
        with self.assertRaises(ValueError):
            estimate.count_safetensors([p])


class AttentionTargets(unittest.TestCase):
    def test_llama_style(self):
        names = [f"model.layers.{i}.{m}" for i in range(2) for m in (
            "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
            "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")] + ["lm_head"]
        self.assertEqual(estimate.attention_targets(names), ["k_proj", "o_proj", "q_proj", "v_proj"])

    def test_other_namings(self):
        self.assertEqual(estimate.attention_targets(
            ["gpt_neox.layers.0.attention.query_key_value", "gpt_neox.layers.0.attention.dense", "gpt_neox.layers.0.mlp.dense_h_to_4h"]),
            ["dense", "query_key_value"])
        self.assertEqual(estimate.attention_targets(["model.layers.0.self_attn.qkv_proj", "model.layers.0.mlp.gate_up_proj"]), ["qkv_proj"])
        self.assertEqual(estimate.attention_targets(["encoder.fc1", "lm_head"]), [])


class Disk(unittest.TestCase):
    def test_a_download_and_rotating_checkpoints(self):
        lora = 11_272_192
        needs = estimate.disk_needs(2_471_628_800, False, lora, save_steps=100, save_total_limit=2)
        self.assertEqual(needs["download_bytes"], 2_471_628_800)
        self.assertEqual(needs["output_bytes"], 3 * lora * 12 + lora * 4)
        self.assertIn("model download", needs["how"])
        self.assertIn("3 checkpoints", needs["how"])

    def test_a_cached_model_and_no_checkpoints(self):
        needs = estimate.disk_needs(10**10, True, 1000, save_steps=0, save_total_limit=2)
        self.assertEqual((needs["download_bytes"], needs["output_bytes"]), (0, 4000))

    def test_unknowns_are_said(self):
        needs = estimate.disk_needs(None, False, None, 100, 2, lora_unknown_because="no config")
        self.assertIsNone(needs["output_bytes"])
        self.assertIn("not counted", needs["how"])
        self.assertIn("no config", needs["how"])

    def test_gpu_weights(self):
        self.assertEqual(estimate.gpu_weights_bytes(10**9, "lora"), 2 * 10**9)
        self.assertLess(estimate.gpu_weights_bytes(10**9, "qlora"), 10**9)
        self.assertIsNone(estimate.gpu_weights_bytes(None, "lora"))
