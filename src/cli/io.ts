/** What a CLI command may touch: output streams, the environment and the clock, injected for tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  now: () => Date;
}

/** A mistake in how the command was called: exit 2 with the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}
