import type { TrainingFile } from '../providers/types.ts';
import { SlackFileError } from '../slack/files.ts';

/**
 * Wraps a training file so the first SlackFileError its stream raised can be asked for afterwards.
 * Provider SDKs read the stream inside their upload and report its failure as their own
 * ("could not reach the provider"); the person should hear what really happened to their file.
 */
export function trackFileErrors(file: TrainingFile): { file: TrainingFile; error: () => SlackFileError | undefined } {
  let failure: SlackFileError | undefined;
  return {
    error: () => failure,
    file: {
      name: file.name,
      bytes: file.bytes,
      async *open() {
        try {
          yield* file.open();
        } catch (error) {
          if (error instanceof SlackFileError) failure ??= error;
          throw error;
        }
      },
    },
  };
}
