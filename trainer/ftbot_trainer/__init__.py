"""finetune-bot's LoRA trainer. Every module here but training.py imports neither torch nor
transformers, so the checks, the events and the data handling run (and are tested) anywhere."""
