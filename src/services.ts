import type { JobsConfig } from './config/jobs.ts';
import type { Catalogue } from './cost/catalogue.ts';
import type { LifecycleDeps } from './jobs/lifecycle.ts';
import type { Monitor } from './jobs/monitor.ts';
import type { Notices } from './jobs/notices.ts';
import type { Logger } from './logger.ts';
import type { AzureDeployer, Providers } from './providers/index.ts';
import type { JobNotifier } from './slack/job-notifier.ts';
import type { Store } from './store/types.ts';

/** What handlers get from the composition root; tests build the same object with real parts. */
export interface Services {
  store: Store;
  logger: Logger;
  /** The advisor's clock: OpenAI's wind-down dates are judged against it. */
  now: () => Date;
  /** The workspace's URL as Slack gave it at start (auth.test): links to job messages. */
  workspaceUrl?: string;
  /**
   * The price catalogue: built-in, then Azure's Retail Prices feed, then PRICES_FILE on top. One
   * object for the life of the process; a feed read replaces its sections in place (cost/live.ts),
   * so read figures from it at the time of use rather than copying them.
   */
  prices: Catalogue;
  limits: { maxFileBytes: number };
  /** SLACK_API_URL when set: file downloads may go to its host as well as Slack's. */
  slackApiUrl?: string;
  /**
   * How long a views.open is waited for: a trigger_id dies 3 s after Slack sent it, so waiting longer
   * only delays telling the person. Held here so the end-to-end tests can watch the give-up without
   * sleeping through the real lifetime.
   */
  triggerDeadlineMs: number;
  /** How long the review waits for a GPU host's pre-flight; held here for the same reason. */
  preflightDeadlineMs: number;
  jobs: JobServices;
}

export interface JobServices extends LifecycleDeps {
  /** Only the configured providers. */
  providers: Providers;
  notifier: JobNotifier;
  monitor: Monitor;
  notices: Notices;
  policy: Pick<JobsConfig, 'maxJobUsd' | 'approvers' | 'admins' | 'allowedUsers' | 'allowedChannels'>;
  azureDeployer?: AzureDeployer;
}
