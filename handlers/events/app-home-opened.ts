import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { buildHomeView, type HomeAdvice } from '../../src/slack/home-view.ts';
import type { Delivery } from '../../src/store/types.ts';

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
    await client.views.publish({ user_id: event.user, view: buildHomeView(recent) });
  };
}

function postedIn(delivery: Delivery | undefined): HomeAdvice['postedIn'] {
  if (delivery?.via === 'channel') return { channelId: delivery.channelId };
  if (delivery?.via === 'dm') return 'dm';
  // No delivery recorded yet means the post is still on its way or the process stopped before it.
  return 'not-delivered';
}
