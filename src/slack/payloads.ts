import { z } from 'zod';

/**
 * What Slack sends us, as zod schemas. The envelope of each kind of request is checked once at the
 * edge (handlers/guard.ts), before any listener runs, so a listener can rely on the types Bolt's
 * typings claim; the form parsers read their fields through `readForm`, which applies the same
 * state-value schema field by field. The schemas check types and sizes, not meaning: an epoch count
 * of 99 is a well-formed string that the form parser answers with a field error.
 *
 * The limits are Slack's own (Block Kit reference), so nothing Slack can send is refused:
 * private_metadata 3,000 characters, a button value 2,000, an option value 150, a plain-text input
 * 3,000, block, action and callback ids 255.
 */

export const SLACK_LIMITS = {
  privateMetadata: 3000,
  actionValue: 2000,
  optionValue: 150,
  inputValue: 3000,
  id: 255,
  url: 3000,
  fileName: 1000,
  /** Slack's cap on a message; a slash command's text is typed in the same box. */
  commandText: 40_000,
  blocks: 100,
} as const;

/** U…, W…, T…, E…, C…, D…, G…, V…, F…: Slack's ids are short runs of capitals and digits. */
const slackId = z
  .string()
  .max(40)
  .regex(/^[A-Z0-9]{2,40}$/);
const id = z.string().min(1).max(SLACK_LIMITS.id);
const short = (max: number) => z.string().max(max);

const option = z.looseObject({ value: short(SLACK_LIMITS.optionValue) });

const uploaded = z.looseObject({
  id: short(40),
  name: short(SLACK_LIMITS.fileName).optional(),
  size: z.number().int().nonnegative().optional(),
  url_private_download: short(SLACK_LIMITS.url).optional(),
});

/** One input's state in `view.state.values[block][action]`; only the fields our forms read are typed. */
export const stateValue = z.looseObject({
  type: short(64),
  value: short(SLACK_LIMITS.inputValue).nullish(),
  selected_option: option.nullish(),
  selected_options: z.array(option).max(100).nullish(),
  selected_conversation: short(40).nullish(),
  selected_channel: short(40).nullish(),
  selected_user: short(40).nullish(),
  files: z.array(uploaded).max(10).nullish(),
});
export type StateValue = z.infer<typeof stateValue>;

const viewStateValues = z
  .record(id, z.record(id, stateValue))
  .refine((blocks) => Object.keys(blocks).length <= SLACK_LIMITS.blocks, 'more blocks than a view can hold');

const view = z.looseObject({
  id: slackId,
  callback_id: short(SLACK_LIMITS.id),
  private_metadata: short(SLACK_LIMITS.privateMetadata).optional(),
  hash: short(256).optional(),
  state: z.looseObject({ values: viewStateValues }).optional(),
  app_installed_team_id: slackId.optional(),
});

const user = z.looseObject({ id: slackId, team_id: slackId.optional() });
/** Null for an org-wide install; Bolt then takes `user.team_id`. */
const team = z.looseObject({ id: slackId }).nullable();

/**
 * Bolt routes a body by the first of these it finds (event, command, name, actions, then type);
 * refusing them where they do not belong keeps a body from being checked as one kind and served
 * as another.
 */
const absent = z.never().optional();
const notAnEvent = { event: absent, command: absent, name: absent };

const interaction = {
  user,
  team,
  trigger_id: short(255).optional(),
  response_url: short(SLACK_LIMITS.url).optional(),
  channel: z.looseObject({ id: slackId }).optional(),
  response_urls: z
    .array(z.looseObject({ response_url: short(SLACK_LIMITS.url) }))
    .max(10)
    .optional(),
};

const viewSubmission = z.looseObject({
  ...notAnEvent,
  ...interaction,
  actions: absent,
  type: z.literal('view_submission'),
  view: view.extend({ state: z.looseObject({ values: viewStateValues }) }),
});

const viewClosed = z.looseObject({
  ...notAnEvent,
  ...interaction,
  actions: absent,
  type: z.literal('view_closed'),
  view,
});

const action = z.looseObject({
  action_id: id,
  block_id: short(SLACK_LIMITS.id).optional(),
  type: short(64),
  value: short(SLACK_LIMITS.actionValue).optional(),
  selected_option: option.nullish(),
  /** A link button: Slack opens the URL and still tells us about the click. */
  url: short(SLACK_LIMITS.url).optional(),
});

const blockActions = z.looseObject({
  ...notAnEvent,
  ...interaction,
  type: z.literal('block_actions'),
  actions: z.array(action).min(1).max(25),
  view: view.optional(),
  message: z.looseObject({ ts: short(32) }).optional(),
  container: z.looseObject({ type: short(64) }).optional(),
});

/** Form-encoded: every field a string, so a repeated field (an array) is refused too. */
const slashCommand = z.looseObject({
  event: absent,
  command: z
    .string()
    .max(33)
    .regex(/^\/[\w-]{1,32}$/),
  text: short(SLACK_LIMITS.commandText),
  user_id: slackId,
  team_id: slackId,
  channel_id: slackId,
  trigger_id: short(255),
  response_url: short(SLACK_LIMITS.url),
});

const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: slackId.optional(),
  authorizations: z.array(z.looseObject({ team_id: slackId.nullish() })).optional(),
  event: z
    .looseObject({
      type: short(64),
      // An object in some events (user_change); a user id in the one we subscribe to.
      user: z.union([short(40), z.looseObject({})]).optional(),
      tab: short(16).optional(),
      // Bolt looks inside these to find the conversation.
      channel: z.union([short(40), z.looseObject({ id: short(40) })]).optional(),
      channel_id: short(40).optional(),
      item: z.looseObject({}).optional(),
    })
    .refine(
      (event) => event.type !== 'app_home_opened' || (typeof event.user === 'string' && typeof event.tab === 'string'),
      { message: 'app_home_opened names a user and a tab', path: ['user'] },
    ),
});

const urlVerification = z.looseObject({ type: z.literal('url_verification'), challenge: short(200) });
const sslCheck = z.looseObject({ ssl_check: z.literal('1') });

const ENVELOPES = {
  view_submission: viewSubmission,
  view_closed: viewClosed,
  block_actions: blockActions,
  slash_command: slashCommand,
  event_callback: eventCallback,
  url_verification: urlVerification,
  ssl_check: sslCheck,
} as const;

export type EnvelopeKind = keyof typeof ENVELOPES;

export type EnvelopeVerdict =
  | { ok: true; kind: EnvelopeKind }
  /** `served: false`: a kind this app registers nothing for (shortcuts, options, legacy dialogs). */
  | { ok: false; kind: string; served: boolean; path: string; problem: string };

const UNSERVED = new Set([
  'shortcut',
  'message_action',
  'block_suggestion',
  'dialog_submission',
  'dialog_cancellation',
  'dialog_suggestion',
  'interactive_message',
  'workflow_step_edit',
  'app_rate_limited',
]);

function kindOf(body: Record<string, unknown>): EnvelopeKind | string {
  if ('event' in body) return 'event_callback';
  if ('command' in body) return 'slash_command';
  if (typeof body.type === 'string') {
    if (Object.hasOwn(ENVELOPES, body.type) || UNSERVED.has(body.type)) return body.type;
    return 'unknown';
  }
  if ('ssl_check' in body) return 'ssl_check';
  return 'unknown';
}

/** The zod path of the first problem, with each step cut short: block ids come from the request. */
function describePath(path: readonly PropertyKey[]): string {
  const text = path.map((step) => String(step).slice(0, 40)).join('.');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Says which kind of request `body` is, and whether it has the shape Slack gives that kind. */
export function checkEnvelope(body: unknown): EnvelopeVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const kind = body === null ? 'null' : Array.isArray(body) ? 'array' : typeof body;
    return { ok: false, kind: `not-an-object (${kind})`, served: true, path: '', problem: 'invalid_type' };
  }
  const kind = kindOf(body as Record<string, unknown>);
  if (!Object.hasOwn(ENVELOPES, kind)) {
    return { ok: false, kind, served: false, path: 'type', problem: 'unserved' };
  }
  const result = ENVELOPES[kind as EnvelopeKind].safeParse(body);
  if (result.success) return { ok: true, kind: kind as EnvelopeKind };
  const issue = result.error.issues[0];
  return { ok: false, kind, served: true, path: describePath(issue?.path ?? []), problem: issue?.code ?? 'invalid' };
}

export const UNREADABLE_FIELD = 'This answer could not be read. Please enter it again.';

/** A submitted form's fields, read with own-property lookups so `constructor` is never a block. */
export interface FormFields {
  /** The input's state; undefined when the block is missing or its state is not what Slack sends. */
  get(block: string, action: string): StateValue | undefined;
  /** The blocks read so far whose state did not match: each deserves a field error. */
  readonly unreadable: readonly string[];
}

const own = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;

export function readForm(values: unknown): FormFields {
  const unreadable: string[] = [];
  return {
    get(block, action) {
      const raw = own(own(values, block), action);
      if (raw === undefined) return undefined;
      const parsed = stateValue.safeParse(raw);
      if (parsed.success) return parsed.data;
      if (!unreadable.includes(block)) unreadable.push(block);
      return undefined;
    },
    unreadable,
  };
}

/** Adds a field error for every unreadable block; true when there was one. */
export function flagUnreadable(form: FormFields, errors: Record<string, string>): boolean {
  for (const block of form.unreadable) errors[block] = UNREADABLE_FIELD;
  return form.unreadable.length > 0;
}
