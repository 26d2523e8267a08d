import type { Logger } from './logger.ts';
import type { Store } from './store/types.ts';

/** What handlers get from the composition root; tests build the same object with real parts. */
export interface Services {
  store: Store;
  logger: Logger;
  /** The advisor's clock: OpenAI's wind-down dates are judged against it. */
  now: () => Date;
}
