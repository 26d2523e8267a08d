/** What Try it got back from a tuned model: the words, and why they stop short when they do. */
export interface Completion {
  text: string;
  /** `length`: cut off at the token cap; `filtered`: the provider's content filter held it back; `refused`: the model declined. */
  stop?: 'length' | 'filtered' | 'refused';
}

/** One choice of an OpenAI-shaped chat completion (OpenAI, Azure, Together, Fireworks all answer so). */
export interface ChatChoice {
  finish_reason?: string | null;
  message?: { content?: string | null; refusal?: string | null } | null;
}

export function completionOf(choice: ChatChoice | undefined): Completion {
  const refusal = choice?.message?.refusal;
  if (refusal) return { text: refusal, stop: 'refused' };
  const text = choice?.message?.content ?? '';
  if (choice?.finish_reason === 'length') return { text, stop: 'length' };
  if (choice?.finish_reason === 'content_filter') return { text, stop: 'filtered' };
  return { text };
}
