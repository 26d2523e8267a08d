import errno
import unittest

from ftbot_trainer.errors import HINTS, REASONS, Cancelled, TrainerFailure, classify, error_fields


# Stand-ins named like the real classes: classification goes by name, so these are what torch and
# huggingface_hub raise as far as the trainer can tell.
class OutOfMemoryError(RuntimeError):
    pass


class RepositoryNotFoundError(Exception):
    pass


class GatedRepoError(RepositoryNotFoundError):
    pass


class LocalEntryNotFoundError(Exception):
    pass


class SafetensorError(Exception):
    pass


def raised(exc):
    try:
        raise exc
    except BaseException as e:  # noqa: BLE001
        return e


def chained(outer, inner):
    try:
        try:
            raise inner
        except BaseException as e:  # noqa: BLE001
            raise outer from e
    except BaseException as e:  # noqa: BLE001
        return e


class Classify(unittest.TestCase):
    def test_by_type_and_message(self):
        cases = {
            "cuda_oom": [
                OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
                RuntimeError("CUDA error: out of memory"),
                RuntimeError("CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"),
            ],
            "gated_model": [
                GatedRepoError("401 Client Error. Cannot access gated repo for url https://huggingface.co/x/y"),
                OSError("You are trying to access a gated repo. Make sure to have access to it"),
            ],
            "model_not_found": [
                RepositoryNotFoundError("404 Client Error"),
                LocalEntryNotFoundError("Cannot find the requested files in the disk cache"),
                OSError("foo/bar is not a local folder and is not a valid model identifier listed on the hub"),
            ],
            "disk_full": [
                OSError(errno.ENOSPC, "No space left on device"),
                SafetensorError("Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: \"No space left on device\" })"),
                RuntimeError("[enforce fail at inline_container.cc:595] . unexpected pos: os error 28"),
            ],
            "missing_package": [
                ModuleNotFoundError("No module named 'flash_attn'", name="flash_attn"),
                ImportError("Using `bitsandbytes` 4-bit quantization requires bitsandbytes: `pip install -U bitsandbytes`"),
            ],
            "no_gpu": [
                RuntimeError("No CUDA GPUs are available"),
                RuntimeError("Found no NVIDIA driver on your system."),
                RuntimeError("CUDA error: no kernel image is available for execution on the device"),
            ],
            "cancelled": [KeyboardInterrupt(), Cancelled("SIGTERM")],
            "unknown": [ValueError("something else"), RuntimeError("CUDA error: an illegal memory access was encountered")],
        }
        for reason, excs in cases.items():
            for exc in excs:
                self.assertEqual(classify(exc), reason, repr(exc))

    def test_gated_wins_over_its_not_found_base_class(self):
        self.assertTrue(issubclass(GatedRepoError, RepositoryNotFoundError))
        self.assertEqual(classify(GatedRepoError("403 Forbidden")), "gated_model")

    def test_the_cause_chain_is_followed(self):
        # transformers re-raises hub errors as a plain OSError with its own message.
        e = chained(OSError("We couldn't connect to load this model"), GatedRepoError("403"))
        self.assertEqual(classify(e), "gated_model")
        e = chained(RuntimeError("step failed"), OutOfMemoryError("Tried to allocate 20 MiB"))
        self.assertEqual(classify(e), "cuda_oom")

    def test_our_own_failures_keep_their_reason(self):
        self.assertEqual(classify(TrainerFailure("bad_data", "Line 3 is not JSON.")), "bad_data")

    def test_every_reason_has_a_hint(self):
        self.assertEqual(set(HINTS), set(REASONS))


class Fields(unittest.TestCase):
    def test_a_library_exception_carries_the_traceback_tail(self):
        e = raised(OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB\nmore detail"))
        f = error_fields(e, limit=5)
        self.assertEqual(f["reason"], "cuda_oom")
        self.assertEqual(f["message"], "CUDA out of memory. Tried to allocate 2.00 GiB")
        self.assertIn("batch_size", f["hint"])
        self.assertEqual(f["exception"], "OutOfMemoryError")
        self.assertLessEqual(len(f["traceback"]), 5)
        self.assertIn("OutOfMemoryError", f["traceback"][-2] + f["traceback"][-1])

    def test_our_failures_have_no_traceback(self):
        f = error_fields(raised(TrainerFailure("missing_package", "No torch.", missing=["torch"])))
        self.assertEqual((f["traceback"], f["exception"], f["missing"]), ([], None, ["torch"]))

    def test_a_missing_module_is_named(self):
        f = error_fields(raised(ModuleNotFoundError("No module named 'flash_attn'", name="flash_attn.ops")))
        self.assertEqual(f["missing"], ["flash_attn"])

    def test_a_signal(self):
        f = error_fields(raised(Cancelled("SIGTERM")))
        self.assertEqual((f["reason"], f["message"], f["traceback"]), ("cancelled", "Stopped by a signal.", []))

    def test_unknown_reasons_are_refused(self):
        with self.assertRaises(ValueError):
            TrainerFailure("oops", "x")
