import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { monthStart } from '../../src/jobs/digest.ts';
import type { Services } from '../../src/services.ts';
import { buildHomeView, type HomeAdvice } from '../../src/slack/home-view.ts';
import { ACTIVE_PHASES, type Delivery } from '../../src/store/types.ts';

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>;

/** Renders the Home tab each time it is opened, so it is never stale. */
export function appHomeOpened(services: Services) {
  return async ({ event, body, client }: Args): Promise<void> => {
    if (event.tab !== 'home') return;
    const sessions = await services.store.listAdviceSessions({
      teamId: body.team_id ?? '',
      userId: event.user,
      limit: 10,
    });
    const recent = sessions.map((s) => ({
      createdAt: s.createdAt,
      postedIn: postedIn(s.delivery),
      useCase: s.answers.useCase,
      recommendation: s.recommendation,
    }));
    const teamId = body.team_id ?? '';
    const now = services.now();
    const [jobs, monthSpend] = await Promise.all([
      services.store.listJobs({ teamId, limit: 50 }),
      services.store.spendByProvider({ teamId, from: monthStart(now), to: now.toISOString() }),
    ]);
    const active = jobs.filter((j) => ACTIVE_PHASES.includes(j.phase) || j.phase === 'awaiting_approval').reverse();
    const finished = jobs.filter((j) => !active.includes(j));
    await client.views.publish({
      user_id: event.user,
      view: buildHomeView(recent, {
        now,
        active,
        recent: finished,
        monthSpend,
        ...(services.workspaceUrl ? { workspaceUrl: services.workspaceUrl } : {}),
      }),
    });
  };
}

function postedIn(delivery: Delivery | undefined): HomeAdvice['postedIn'] {
  if (delivery?.via === 'channel') return { channelId: delivery.channelId };
  if (delivery?.via === 'dm') return 'dm';
  // No delivery recorded yet means the post is still on its way or the process stopped before it.
  return 'not-delivered';
}
