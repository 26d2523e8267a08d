import io
import json
import math
import os
import re

from ftbot_trainer.events import EventLog, encode, json_safe, write_exit_code

from .helpers import TempDirTest, read_events, strict_loads


class Scalar:
    """Stands in for a 0-d tensor or numpy scalar."""

    def __init__(self, v):
        self.v = v

    def item(self):
        return self.v


class JsonSafe(TempDirTest):
    def test_non_finite_numbers_become_null_at_any_depth(self):
        value = {"loss": math.nan, "x": [math.inf, -math.inf, 1.5], "m": {"g": Scalar(math.nan), "ok": Scalar(2)}}
        self.assertEqual(json_safe(value), {"loss": None, "x": [None, None, 1.5], "m": {"g": None, "ok": 2}})

    def test_encoded_lines_parse_strictly(self):
        line = encode({"type": "step", "loss": float("nan"), "grad_norm": float("inf"), "lr": 1e-4, "flag": True})
        self.assertEqual(strict_loads(line), {"type": "step", "loss": None, "grad_norm": None, "lr": 1e-4, "flag": True})
        self.assertNotIn("NaN", line)

    def test_bools_stay_bools_and_ints_stay_ints(self):
        self.assertIs(json_safe(True), True)
        self.assertEqual(json_safe(7), 7)
        self.assertIsInstance(json_safe(7), int)


class Log(TempDirTest):
    def test_events_have_type_seq_and_utc_time_and_are_mirrored(self):
        mirror = io.StringIO()
        log = EventLog(self.path("events.jsonl"), mirror)
        log.emit("started", total_steps=10, examples=3, tokens=99)
        log.emit("step", step=1, loss=float("nan"))
        log.close()
        events = read_events(self.path("events.jsonl"))
        self.assertEqual([e["seq"] for e in events], [1, 2])
        self.assertEqual([e["type"] for e in events], ["started", "step"])
        self.assertIsNone(events[1]["loss"])
        for e in events:
            self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual([strict_loads(x) for x in mirror.getvalue().splitlines()], events)

    def test_seq_continues_when_the_trainer_runs_again_in_the_same_folder(self):
        log = EventLog(self.path("events.jsonl"))
        log.emit("preparing", phase="checking", message="")
        log.emit("error", reason="unknown")
        log.close()
        again = EventLog(self.path("events.jsonl"))
        again.emit("preparing", phase="checking", message="")
        again.close()
        self.assertEqual([e["seq"] for e in read_events(self.path("events.jsonl"))], [1, 2, 3])

    def test_a_torn_last_line_is_closed_before_the_next_event(self):
        with open(self.path("events.jsonl"), "w") as f:
            f.write(json.dumps({"type": "step", "seq": 4, "time": "t"}) + "\n" + '{"type":"st')
        log = EventLog(self.path("events.jsonl"))
        log.emit("error", reason="unknown")
        log.close()
        lines = self.read("events.jsonl").splitlines()
        self.assertEqual(lines[1], '{"type":"st')
        self.assertEqual(strict_loads(lines[2])["seq"], 5)

    def test_unknown_event_types_are_refused(self):
        log = EventLog(self.path("events.jsonl"))
        with self.assertRaises(ValueError):
            log.emit("progress")
        log.close()

    def test_a_closed_stdout_does_not_stop_the_file(self):
        mirror = io.StringIO()
        mirror.close()
        log = EventLog(self.path("events.jsonl"), mirror)
        log.emit("step", step=1)
        log.close()
        self.assertEqual(len(read_events(self.path("events.jsonl"))), 1)


class ExitCode(TempDirTest):
    def test_written_as_an_integer_line_with_no_temp_file_left(self):
        write_exit_code(self.dir, 3)
        self.assertEqual(self.read("exit_code"), "3\n")
        self.assertEqual(sorted(os.listdir(self.dir)), ["exit_code"])
        write_exit_code(self.dir, 0)
        self.assertTrue(re.fullmatch(r"0\n", self.read("exit_code")))
