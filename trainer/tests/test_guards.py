import os
import unittest

from ftbot_trainer.guards import CancelFlag, NonFiniteCounter, finite

from .helpers import TempDirTest

NAN, INF = float("nan"), float("inf")


class Finite(unittest.TestCase):
    def test_numbers_and_not_numbers(self):
        self.assertEqual(finite(1.5), 1.5)
        self.assertEqual(finite(3), 3.0)
        for bad in (None, NAN, INF, -INF, "x", True, [1]):
            self.assertIsNone(finite(bad), bad)

    def test_scalars_with_item(self):
        class T:
            def __init__(self, v):
                self.v = v

            def item(self):
                return self.v

        self.assertEqual(finite(T(0.25)), 0.25)
        self.assertIsNone(finite(T(NAN)))


class Counter(unittest.TestCase):
    def test_trips_after_k_in_a_row(self):
        c = NonFiniteCounter(3)
        self.assertFalse(c.observe(NAN))
        self.assertFalse(c.observe(INF))
        self.assertTrue(c.observe(None))
        self.assertEqual(c.in_a_row, 3)

    def test_a_finite_step_resets_the_run(self):
        c = NonFiniteCounter(2)
        c.observe(NAN)
        c.observe(1.0)
        self.assertFalse(c.observe(NAN))
        self.assertEqual((c.in_a_row, c.total), (1, 2))

    def test_a_non_finite_gradient_norm_counts(self):
        c = NonFiniteCounter(1)
        self.assertTrue(c.observe(0.0, NAN))
        d = NonFiniteCounter(1)
        self.assertFalse(d.observe(0.5, 1.2))
        self.assertFalse(d.observe(0.5, None))  # no norm logged is not a bad norm

    def test_limit_must_be_positive(self):
        with self.assertRaises(ValueError):
            NonFiniteCounter(0)


class Cancel(TempDirTest):
    def test_the_flag_file(self):
        flag = CancelFlag(self.dir)
        self.assertFalse(flag.requested())
        open(os.path.join(self.dir, "cancel"), "w").close()
        self.assertTrue(flag.requested())
        self.assertIn("cancel flag", flag.why())

    def test_a_signal(self):
        flag = CancelFlag(self.dir)
        flag.signal("SIGTERM")
        self.assertTrue(flag.requested())
        self.assertEqual(flag.why(), "SIGTERM")
