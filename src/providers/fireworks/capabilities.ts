import type { ProviderCapabilities } from '../types.ts';

/**
 * What Fireworks AI's supervised fine-tuning offers the form (docs.fireworks.ai, api-reference
 * create-supervised-fine-tuning-job): LoRA with a chosen rank, the learning rate itself, epochs and
 * batch size; data goes up as a dataset the bot creates, so no file id is asked for. Progress comes
 * as a percentage, not steps. Try it asks the tuned model through chat completions.
 */
export const FIREWORKS_CAPABILITIES: ProviderCapabilities = {
  knobs: 'hosted',
  baseModel: 'list',
  tryIt: true,
  deploy: false,
  hosts: false,
  learningRate: 'absolute',
  adapter: { ranks: [4, 8, 16, 32, 64], full: false },
  fileIds: false,
  progress: 'percent',
};
