"""Training data, from file lines to label masks, with the tokenizer passed in as plain functions.

The file is the chat JSONL our validator accepts (OpenAI's format) or what `finetune-bot convert
--to trainer` writes (src/data/convert.ts): {"messages": [{role, content, weight?, tool_calls?,
tool_call_id?, name?}], "tools"?: [...]}. Both normalise to the second shape here.

Which tokens are in the loss: every assistant turn's tokens, including the end-of-turn marker the
chat template writes after it (so the model learns to stop), unless the turn has `weight: 0`.
Everything else (system, user, tool results, template headers, padding) is context only.
"""

from __future__ import annotations

import bisect
import json
import math
import random
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Sequence

from .errors import TrainerFailure

IGNORE = -100  # the label transformers' loss skips

ROLES = ("system", "user", "assistant", "tool")


class BadData(TrainerFailure):
    def __init__(self, message: str):
        super().__init__("bad_data", message)


def _flatten(content) -> str:
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        # Images and audio are dropped: the trainer is text-only, as `convert --to trainer` is.
        return "\n".join(p["text"] for p in content if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str))
    raise ValueError("content must be a string or a list of content parts")


def _arguments(args):
    # Hugging Face chat templates iterate over arguments as a mapping; OpenAI's file has a JSON string.
    if isinstance(args, str):
        try:
            return json.loads(args)
        except ValueError:
            return args
    return {} if args is None else args


def _call(fn, call_id=None) -> dict:
    fn = fn if isinstance(fn, dict) else {}
    out = {"type": "function", "function": {"name": fn.get("name", "") or "", "arguments": _arguments(fn.get("arguments"))}}
    if isinstance(call_id, str):
        out["id"] = call_id
    return out


def normalise_message(m) -> dict:
    if not isinstance(m, dict):
        raise ValueError("a message is not an object")
    role = "tool" if m.get("role") == "function" else m.get("role")
    if role not in ROLES:
        raise ValueError(f"unsupported role {m.get('role')!r}")
    out = {"role": role, "content": _flatten(m.get("content"))}
    if isinstance(m.get("name"), str):
        out["name"] = m["name"]
    if "weight" in m:
        w = m["weight"]
        if role != "assistant":
            raise ValueError(f"`weight` is only allowed on assistant messages, not {role}")
        if isinstance(w, bool) or w not in (0, 1):
            raise ValueError(f"`weight` must be 0 or 1 (got {w!r})")
        if w == 0:
            out["weight"] = 0
    if isinstance(m.get("tool_calls"), list):
        out["tool_calls"] = [_call(c.get("function"), c.get("id")) if isinstance(c, dict) else _call(None) for c in m["tool_calls"]]
    elif m.get("function_call") is not None:
        out["tool_calls"] = [_call(m["function_call"])]
    if isinstance(m.get("tool_call_id"), str):
        out["tool_call_id"] = m["tool_call_id"]
    return out


def normalise_example(record) -> dict:
    if not isinstance(record, dict):
        raise ValueError("the line is not a JSON object")
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError('the example has no "messages" list')
    out = {"messages": [normalise_message(m) for m in messages]}
    if isinstance(record.get("tools"), list):
        out["tools"] = record["tools"]
    elif isinstance(record.get("functions"), list):
        out["tools"] = [{"type": "function", "function": f} for f in record["functions"]]
    return out


def trainable_turns(example: dict) -> list:
    """Per message: whether its tokens are in the loss."""
    return [m["role"] == "assistant" and m.get("weight", 1) != 0 for m in example["messages"]]


@dataclass
class Dataset:
    examples: list
    lines: list  # the file line each example came from
    skipped: dict = field(default_factory=dict)  # reason -> count

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def read_examples(lines: Iterable, source: str = "the dataset") -> Dataset:
    """Parses and normalises every line; a malformed line stops with bad_data naming it, because
    training on a silently thinned file is worse than fixing one line."""
    data = Dataset([], [])
    for n, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if text.strip() == "":
                continue
            example = normalise_example(json.loads(text))
        except UnicodeDecodeError:
            raise BadData(f"Line {n} of {source} is not UTF-8.") from None
        except ValueError as e:
            raise BadData(f"Line {n} of {source}: {str(e)[:200]}.") from None
        if not any(trainable_turns(example)):
            data.skip("no_trainable_turn")
            continue
        data.examples.append(example)
        data.lines.append(n)
    if not data.examples:
        raise BadData(f"{source} has no example with an assistant turn to learn from.")
    return data


def read_file(path: str) -> Dataset:
    try:
        with open(path, "rb") as f:
            return read_examples(f, source=path)
    except FileNotFoundError:
        raise BadData(f"The dataset {path} does not exist on the host.") from None
    except IsADirectoryError:
        raise BadData(f"The dataset {path} is a folder, not a JSONL file.") from None


def split(n: int, fraction: float, seed: int) -> tuple:
    """Indices for (train, eval): a seeded shuffle, so re-running a job holds out the same examples."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    if fraction <= 0 or n < 2:
        return sorted(order), []
    k = min(n - 1, max(1, round(n * fraction)))
    return sorted(order[k:]), sorted(order[:k])


# --- from rendered text to labels -------------------------------------------------------------

Render = Callable[[list, bool], str]  # (messages, add_generation_prompt) -> text


@dataclass
class Spans:
    spans: list  # [(start, end)] character ranges in the full text that are in the loss
    fallback: bool  # the template is not prefix-stable; spans were found by content search


def assistant_spans(messages: list, render: Render, end_markers: Sequence = ()) -> tuple:
    """The full rendered text and the character spans of its trainable assistant turns.

    A turn's span runs from the end of the text rendered for the turns before it plus the
    generation prompt (the assistant header) to the end of the text rendered through it, so it
    takes in the end-of-turn marker whatever the template calls it. That needs a template whose
    rendering of the first k turns is a prefix of the rendering of k+1; templates that rewrite
    earlier turns (some drop old reasoning) fall back to finding the turn's content in the text
    and extending it over an end marker right after it.
    """
    full = render(messages, False)
    flags = [m["role"] == "assistant" and m.get("weight", 1) != 0 for m in messages]
    spans, fallback, cursor = [], False, 0
    for i, m in enumerate(messages):
        if not flags[i]:
            continue
        try:
            start_text = render(messages[:i], True)
            end_text = render(messages[: i + 1], False)
        except Exception:  # noqa: BLE001 - a template may refuse a partial conversation
            start_text = end_text = None
        if (
            start_text is not None
            and end_text.startswith(start_text)
            and full.startswith(end_text)
            and len(start_text) >= cursor
        ):
            span = (len(start_text), len(end_text))
        else:
            fallback = True
            span = _search_span(full, m["content"], cursor, end_markers)
        if span and span[1] > span[0]:
            spans.append(span)
            cursor = span[1]
    return full, Spans(spans, fallback)


def _search_span(full: str, content: str, cursor: int, end_markers: Sequence) -> Optional[tuple]:
    if not content:
        return None
    at = full.find(content, cursor)
    if at < 0:
        at = full.find(content.strip(), cursor)
        content = content.strip()
        if at < 0 or not content:
            return None
    end = at + len(content)
    rest = full[end:]
    stripped = rest.lstrip()
    for marker in end_markers:
        if marker and stripped.startswith(marker):
            end += len(rest) - len(stripped) + len(marker)
            break
    return at, end


def labels_from_offsets(input_ids: Sequence, offsets: Sequence, spans: Sequence) -> list:
    """Labels for one tokenised text: a token is in the loss when it starts inside a span.

    A token straddling the start of a turn belongs to the header before it; one straddling the
    end belongs to the turn (it is the tail of what the model must write).
    """
    starts = [s for s, _ in spans]
    labels = []
    for token, (start, _end) in zip(input_ids, offsets):
        k = bisect.bisect_right(starts, start) - 1
        inside = k >= 0 and spans[k][0] <= start < spans[k][1]
        labels.append(token if inside else IGNORE)
    return labels


def labels_from_prefix_lengths(input_ids: Sequence, token_spans: Sequence) -> list:
    """Labels when the tokenizer gives no offsets: spans already in token positions."""
    labels = [IGNORE] * len(input_ids)
    for start, end in token_spans:
        for t in range(max(0, start), min(end, len(input_ids))):
            labels[t] = input_ids[t]
    return labels


@dataclass
class Encoded:
    input_ids: list
    labels: list
    truncated: bool


def truncate(input_ids: list, labels: list, max_length: int) -> Encoded:
    """Keeps the start: the system prompt and the question matter more than the end of a long answer."""
    if len(input_ids) <= max_length:
        return Encoded(list(input_ids), list(labels), False)
    return Encoded(list(input_ids[:max_length]), list(labels[:max_length]), True)


def trainable_count(labels: Sequence) -> int:
    return sum(1 for x in labels if x != IGNORE)


# --- packing ------------------------------------------------------------------------------------


def pack(lengths: Sequence, capacity: int) -> list:
    """Best-fit decreasing: groups of indices whose lengths sum to at most capacity.

    Each example stays whole inside one sequence (it was truncated to capacity before), and the
    model sees where each starts through position ids, so examples do not attend to each other.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    bins: list = []
    free: list = []  # sorted (room left, bin index)
    for i in order:
        size = lengths[i]
        if size > capacity:
            raise ValueError(f"example {i} is longer ({size}) than the capacity ({capacity})")
        k = bisect.bisect_left(free, (size, -1))
        if k < len(free):
            room, b = free.pop(k)
            bins[b].append(i)
            bisect.insort(free, (room - size, b))
        else:
            bins.append([i])
            bisect.insort(free, (capacity - size, len(bins) - 1))
    return bins


def packed_row(encoded: Sequence, group: Sequence) -> dict:
    """One packed training row: concatenated ids and labels, and position ids restarting at 0 per
    example (what transformers reads to keep attention inside each example)."""
    ids, labels, positions = [], [], []
    for i in group:
        e = encoded[i]
        ids.extend(e.input_ids)
        # The first token of an example is never a target: otherwise the last token of the
        # previous example would be trained to predict it, across the boundary.
        labels.extend([IGNORE] + list(e.labels[1:]))
        positions.extend(range(len(e.input_ids)))
    return {"input_ids": ids, "labels": labels, "position_ids": positions}


def plain_row(e: Encoded) -> dict:
    return {"input_ids": list(e.input_ids), "labels": list(e.labels)}


def steps_per_epoch(rows: int, batch_size: int, accumulation: int, world: int = 1) -> int:
    micro = math.ceil(rows / (batch_size * world))
    return max(1, math.ceil(micro / accumulation))


def total_steps(rows: int, batch_size: int, accumulation: int, epochs: float, world: int = 1) -> int:
    return max(1, math.ceil(epochs * steps_per_epoch(rows, batch_size, accumulation, world)))


def pad_batch(rows: Sequence, pad_id: int, multiple: int = 8) -> dict:
    """Right-pads a batch (plain lists). Packed rows get the padding as its own position run, so
    no attention mask is needed and the pads attend only to each other; plain rows get a mask."""
    longest = max(len(r["input_ids"]) for r in rows)
    width = int(math.ceil(longest / multiple) * multiple) if multiple > 1 else longest
    packed = "position_ids" in rows[0]
    out: dict = {"input_ids": [], "labels": []}
    if packed:
        out["position_ids"] = []
    else:
        out["attention_mask"] = []
    for r in rows:
        n = len(r["input_ids"])
        pad = width - n
        out["input_ids"].append(list(r["input_ids"]) + [pad_id] * pad)
        out["labels"].append(list(r["labels"]) + [IGNORE] * pad)
        if packed:
            out["position_ids"].append(list(r["position_ids"]) + list(range(pad)))
        else:
            out["attention_mask"].append([1] * n + [0] * pad)
    return out
