import type { ProviderCapabilities } from '../types.ts';

/**
 * What Together AI's fine-tuning API offers the form (docs.together.ai/reference/post-fine-tunes):
 * LoRA by default or full fine-tuning, the learning rate itself, intermediate checkpoints and
 * evaluations on a validation file, a model suffix of up to 40 characters. Try it asks the tuned
 * model through chat completions (serverless LoRA where the base model allows it). Uploads only:
 * Together's jobs carry no metadata of ours, so the file uploaded for a job (named by its id) is
 * what lets a retried start find the job it made; a shared file id could match another job's.
 */
export const TOGETHER_CAPABILITIES: ProviderCapabilities = {
  knobs: 'hosted',
  baseModel: 'list',
  tryIt: true,
  deploy: false,
  hosts: false,
  learningRate: 'absolute',
  adapter: { ranks: [8, 16, 32, 64], full: true },
  fileIds: false,
  suffixMax: 40,
  checkpoints: true,
  evaluations: true,
  progress: 'steps',
};
