import json
import unittest

from ftbot_trainer import data
from ftbot_trainer.data import IGNORE, BadData

from .helpers import TempDirTest, chat


def chatml(messages, gen):
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + ("<|im_start|>assistant\n" if gen else "")


def rewrites_history(messages, gen):
    """Like Qwen3's template: only the last assistant turn gets an (empty) reasoning block, so
    rendering a prefix is not a prefix of rendering the whole."""
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=-1)
    text = ""
    for i, m in enumerate(messages):
        body = ("<think>\n\n</think>\n\n" if i == last else "") + m["content"]
        text += f"<|im_start|>{m['role']}\n{body}<|im_end|>\n"
    return text + ("<|im_start|>assistant\n" if gen else "")


def char_tokens(text):
    return [ord(c) for c in text], [(i, i + 1) for i in range(len(text))]


class Normalise(unittest.TestCase):
    def test_openai_chat_lines(self):
        ex = data.normalise_example({
            "messages": [
                {"role": "system", "content": [{"type": "text", "text": "Be brief."}, {"type": "image_url", "image_url": {}}]},
                {"role": "user", "content": "Weather?"},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "wx", "arguments": "{\"city\": \"Oslo\"}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "rain"},
                {"role": "assistant", "content": "Rain.", "weight": 1},
            ],
            "tools": [{"type": "function", "function": {"name": "wx"}}],
        })
        m = ex["messages"]
        self.assertEqual(m[0], {"role": "system", "content": "Be brief."})
        self.assertEqual(m[2]["tool_calls"], [{"type": "function", "function": {"name": "wx", "arguments": {"city": "Oslo"}}, "id": "c1"}])
        self.assertEqual(m[3]["tool_call_id"], "c1")
        self.assertNotIn("weight", m[4])
        self.assertEqual(len(ex["tools"]), 1)

    def test_legacy_functions(self):
        ex = data.normalise_example({
            "messages": [
                {"role": "user", "content": "x"},
                {"role": "assistant", "function_call": {"name": "f", "arguments": "not json"}},
                {"role": "function", "name": "f", "content": "1"},
            ],
            "functions": [{"name": "f"}],
        })
        self.assertEqual(ex["messages"][1]["tool_calls"][0]["function"]["arguments"], "not json")
        self.assertEqual(ex["messages"][2]["role"], "tool")
        self.assertEqual(ex["tools"], [{"type": "function", "function": {"name": "f"}}])

    def test_the_trainer_format_that_convert_writes(self):
        line = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0},
                             {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}
        ex = data.normalise_example(line)
        self.assertEqual(ex, line)
        self.assertEqual(data.trainable_turns(ex), [False, False, False, True])

    def test_bad_weights_and_roles(self):
        for bad in (
            {"messages": [{"role": "assistant", "content": "x", "weight": 0.5}]},
            {"messages": [{"role": "assistant", "content": "x", "weight": True}]},
            {"messages": [{"role": "user", "content": "x", "weight": 0}]},
            {"messages": [{"role": "narrator", "content": "x"}]},
            {"messages": []},
            {"prompt": "x"},
        ):
            with self.assertRaises(ValueError, msg=json.dumps(bad)):
                data.normalise_example(bad)


class Read(TempDirTest):
    def test_blank_lines_and_examples_with_nothing_to_learn(self):
        path = self.write("t.jsonl", "\n".join([
            json.dumps(chat(("user", "a"), ("assistant", "b"))),
            "",
            json.dumps(chat(("user", "a"), ("assistant", "b", 0))),
            json.dumps(chat(("user", "c"), ("assistant", "d"))),
        ]) + "\n")
        d = data.read_file(path)
        self.assertEqual(len(d.examples), 2)
        self.assertEqual(d.lines, [1, 4])
        self.assertEqual(d.skipped, {"no_trainable_turn": 1})

    def test_a_bad_line_is_named(self):
        path = self.write("t.jsonl", json.dumps(chat(("user", "a"), ("assistant", "b"))) + "\n{oops\n")
        with self.assertRaises(BadData) as ctx:
            data.read_file(path)
        self.assertIn("Line 2", ctx.exception.message)
        self.assertEqual(ctx.exception.reason, "bad_data")

    def test_not_utf8(self):
        p = self.path("t.jsonl")
        with open(p, "wb") as f:
            f.write(b'{"messages": [{"role": "user", "content": "\xff"}]}\n')
        with self.assertRaises(BadData) as ctx:
            data.read_file(p)
        self.assertIn("UTF-8", ctx.exception.message)

    def test_missing_or_empty_files(self):
        with self.assertRaises(BadData):
            data.read_file(self.path("nope.jsonl"))
        with self.assertRaises(BadData):
            data.read_file(self.write("e.jsonl", json.dumps(chat(("user", "a"), ("assistant", "b", 0))) + "\n"))


class Split(unittest.TestCase):
    def test_seeded_disjoint_and_complete(self):
        train, held = data.split(100, 0.1, seed=7)
        self.assertEqual(len(held), 10)
        self.assertEqual(sorted(train + held), list(range(100)))
        self.assertEqual(data.split(100, 0.1, seed=7), (train, held))
        self.assertNotEqual(data.split(100, 0.1, seed=8)[1], held)

    def test_edges(self):
        self.assertEqual(data.split(5, 0, 1), ([0, 1, 2, 3, 4], []))
        self.assertEqual(len(data.split(3, 0.01, 1)[1]), 1)  # a fraction asked for holds out at least one
        self.assertEqual(data.split(1, 0.5, 1), ([0], []))


class Spans(unittest.TestCase):
    def test_assistant_turns_with_their_end_marker(self):
        ex = chat(("system", "S"), ("user", "Q1"), ("assistant", "A1"), ("user", "Q2"), ("assistant", "A2"))
        full, spans = data.assistant_spans(ex["messages"], chatml)
        self.assertFalse(spans.fallback)
        self.assertEqual([full[s:e] for s, e in spans.spans], ["A1<|im_end|>\n", "A2<|im_end|>\n"])

    def test_weight_zero_turns_stay_context(self):
        ex = chat(("user", "Q1"), ("assistant", "bad answer", 0), ("user", "Q2"), ("assistant", "A2"))
        full, spans = data.assistant_spans(ex["messages"], chatml)
        self.assertEqual([full[s:e] for s, e in spans.spans], ["A2<|im_end|>\n"])
        self.assertIn("bad answer", full)

    def test_templates_that_rewrite_earlier_turns_fall_back_to_the_content(self):
        ex = chat(("user", "Q1"), ("assistant", "A1"), ("user", "Q2"), ("assistant", "A2"))
        full, spans = data.assistant_spans(ex["messages"], rewrites_history, ["<|im_end|>"])
        self.assertTrue(spans.fallback)
        self.assertEqual([full[s:e] for s, e in spans.spans], ["A1<|im_end|>", "A2<|im_end|>"])

    def test_a_template_that_refuses_a_partial_conversation(self):
        def strict(messages, gen):
            if not messages or messages[-1]["role"] != "assistant" and not gen:
                raise ValueError("conversation must end with an assistant turn")
            return chatml(messages, gen)

        ex = chat(("assistant", "Hello there"), ("user", "Q"), ("assistant", "A"))
        full, spans = data.assistant_spans(ex["messages"], strict, ["<|im_end|>"])
        self.assertIn("Hello there<|im_end|>", [full[s:e] for s, e in spans.spans])


class Labels(unittest.TestCase):
    def test_char_level_labels_are_exactly_the_spans(self):
        ex = chat(("user", "Q1"), ("assistant", "A1"), ("user", "Q2"), ("assistant", "A2", 0), ("user", "Q3"), ("assistant", "A3"))
        full, spans = data.assistant_spans(ex["messages"], chatml)
        ids, offsets = char_tokens(full)
        labels = data.labels_from_offsets(ids, offsets, spans.spans)
        trained = "".join(chr(x) for x in labels if x != IGNORE)
        self.assertEqual(trained, "A1<|im_end|>\nA3<|im_end|>\n")

    def test_a_token_belongs_to_the_span_it_starts_in(self):
        offsets = [(0, 5), (5, 12), (12, 20), (20, 22)]
        self.assertEqual(data.labels_from_offsets([1, 2, 3, 4], offsets, [(7, 15)]), [IGNORE, IGNORE, 3, IGNORE])
        self.assertEqual(data.labels_from_offsets([1, 2, 3, 4], offsets, [(0, 5), (20, 22)]), [1, IGNORE, IGNORE, 4])

    def test_token_position_spans(self):
        self.assertEqual(data.labels_from_prefix_lengths([5, 6, 7, 8], [(1, 3)]), [IGNORE, 6, 7, IGNORE])

    def test_truncation_keeps_the_start_and_says_so(self):
        e = data.truncate([1, 2, 3, 4], [IGNORE, IGNORE, 3, 4], 3)
        self.assertEqual((e.input_ids, e.labels, e.truncated), ([1, 2, 3], [IGNORE, IGNORE, 3], True))
        self.assertFalse(data.truncate([1], [1], 3).truncated)
        self.assertEqual(data.trainable_count(e.labels), 1)


class Packing(unittest.TestCase):
    def test_best_fit_decreasing_fills_without_overflow(self):
        lengths = [700, 300, 500, 500, 1024, 20, 4]
        bins = data.pack(lengths, 1024)
        self.assertEqual(sorted(i for b in bins for i in b), list(range(len(lengths))))
        for b in bins:
            self.assertLessEqual(sum(lengths[i] for i in b), 1024)
        self.assertEqual(len(bins), 3)

    def test_an_example_longer_than_a_row_is_refused(self):
        with self.assertRaises(ValueError):
            data.pack([10, 2000], 1024)

    def test_packed_rows_restart_positions_and_never_train_across_a_boundary(self):
        enc = [data.Encoded([1, 2, 3], [IGNORE, 2, 3], False), data.Encoded([4, 5], [4, 5], False)]
        row = data.packed_row(enc, [0, 1])
        self.assertEqual(row["input_ids"], [1, 2, 3, 4, 5])
        self.assertEqual(row["position_ids"], [0, 1, 2, 0, 1])
        self.assertEqual(row["labels"], [IGNORE, 2, 3, IGNORE, 5])

    def test_padding(self):
        packed = data.pad_batch([{"input_ids": [1, 2, 3], "labels": [1, 2, 3], "position_ids": [0, 1, 2]}], pad_id=0, multiple=4)
        self.assertEqual(packed, {"input_ids": [[1, 2, 3, 0]], "labels": [[1, 2, 3, IGNORE]], "position_ids": [[0, 1, 2, 0]]})
        plain = data.pad_batch([{"input_ids": [1], "labels": [1]}, {"input_ids": [1, 2], "labels": [IGNORE, 2]}], pad_id=9, multiple=1)
        self.assertEqual(plain["input_ids"], [[1, 9], [1, 2]])
        self.assertEqual(plain["attention_mask"], [[1, 0], [1, 1]])
        self.assertEqual(plain["labels"], [[1, IGNORE], [IGNORE, 2]])

    def test_steps(self):
        self.assertEqual(data.steps_per_epoch(100, 4, 4), 7)  # 25 micro-batches, the last step partial
        self.assertEqual(data.total_steps(100, 4, 4, 3), 21)
        self.assertEqual(data.total_steps(100, 4, 4, 0.5), 4)
        self.assertEqual(data.total_steps(1, 8, 8, 1), 1)
