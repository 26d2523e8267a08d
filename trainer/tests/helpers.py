"""Shared bits for the trainer's tests: temp folders and a strict JSON reader."""

import json
import os
import shutil
import tempfile
import unittest

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def strict_loads(line: str):
    """json.loads that refuses NaN and Infinity, as JavaScript's JSON.parse does."""

    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(line, parse_constant=refuse)


def read_events(path: str) -> list:
    with open(path, encoding="utf-8") as f:
        return [strict_loads(line) for line in f.read().splitlines() if line.strip()]


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ftbot-trainer-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts) -> str:
        return os.path.join(self.dir, *parts)

    def read(self, name: str) -> str:
        with open(self.path(name), encoding="utf-8") as f:
            return f.read()

    def write(self, name: str, text: str) -> str:
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def write_jsonl(self, name: str, rows: list) -> str:
        return self.write(name, "".join(json.dumps(r) + "\n" for r in rows))


def chat(*turns, **extra) -> dict:
    """chat(("user", "hi"), ("assistant", "hello", 0)) -> an OpenAI-style example."""
    messages = []
    for t in turns:
        m = {"role": t[0], "content": t[1]}
        if len(t) > 2:
            m["weight"] = t[2]
        messages.append(m)
    return {"messages": messages, **extra}
