import subprocess
import sys
import unittest

from .helpers import TRAINER


class Imports(unittest.TestCase):
    def test_no_module_loads_torch_or_transformers_when_imported(self):
        # In a fresh interpreter: other tests put stand-ins for transformers in sys.modules.
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]);"
            "import ftbot_trainer.events, ftbot_trainer.spec, ftbot_trainer.data, ftbot_trainer.errors,"
            " ftbot_trainer.guards, ftbot_trainer.estimate, ftbot_trainer.preflight, ftbot_trainer.check,"
            " ftbot_trainer.run, ftbot_trainer.training;"
            "import runpy; runpy.run_path(sys.argv[1] + '/train_lora.py', run_name='not_main');"
            "heavy = [m for m in ('torch', 'transformers', 'peft', 'bitsandbytes', 'accelerate') if m in sys.modules];"
            "print(','.join(heavy))"
        )
        r = subprocess.run([sys.executable, "-c", code, TRAINER], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "")
