import { whyHidden } from '../../src/jobs/access.ts';
import type { Services } from '../../src/services.ts';
import { jobMessageContext } from '../../src/slack/job-context.ts';
import { jobStatusMessage, jobsListMessage, noSuchJobMessage } from '../../src/slack/jobs-list.ts';

/** `/finetune jobs`: the channel's recent jobs, for the person who asked. */
export async function jobsReply(services: Services, teamId: string, channelId: string) {
  const jobs = await services.store.listJobs({ teamId, channelId, limit: 10 });
  return jobsListMessage(jobs, {
    now: services.now(),
    channelId,
    ...(services.workspaceUrl ? { workspaceUrl: services.workspaceUrl } : {}),
  });
}

/** `/finetune status <id>`: one job as its message shows it, for the person who asked. */
export async function statusReply(
  services: Services,
  where: { teamId: string; channelId: string; userId: string },
  id: string | undefined,
) {
  const wanted = (id ?? '').trim().toLowerCase();
  const job = wanted ? await services.store.getJob(wanted) : undefined;
  if (!job || job.teamId !== where.teamId) {
    return wanted
      ? noSuchJobMessage(wanted)
      : { text: 'Which job? Use `/finetune status ft-xxxxxx`; `/finetune jobs` lists them.' };
  }
  const hidden = whyHidden(services.jobs.policy, job, where);
  if (hidden) return { text: hidden };
  return jobStatusMessage(
    job,
    jobMessageContext(job, { now: services.now(), providers: services.jobs.providers, prices: services.prices }),
  );
}
