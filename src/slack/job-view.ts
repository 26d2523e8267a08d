import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;
type PlainTextOption = types.PlainTextOption;

import type { ModelInfo, ProviderCapabilities, ProviderId } from '../providers/types.ts';
import type { JobRequest } from '../store/types.ts';
import type { AttachedFile } from './channel-metadata.ts';
import { capabilitiesOf } from './job-choice.ts';
import {
  JOB_START_BLOCKS as B,
  JOB_FIELD_ACTION_ID as FIELD,
  JOB_MODEL_ACTION_ID,
  JOB_PROVIDER_ACTION_ID,
  JOB_START_CALLBACK_ID,
  modelBlockId,
} from './job-ids.ts';
import { adapterInputs, numberText, textInput, validationFileIds } from './job-view-adapter.ts';
import { baseModelInput, hostInput, loraInputs } from './job-view-lora.ts';
import type { JobProviderChoice } from './job-view-parse.ts';
import { escapeMrkdwn, mrkdwn, plain } from './text.ts';

export {
  type JobHostChoice,
  type JobProviderChoice,
  type JobStartRequest,
  type JobStartValues,
  jobStartSelection,
  parseJobStart,
  type UploadedTrainingFile,
} from './job-view-parse.ts';

export interface JobStartOptions {
  /** Only the providers configured here. */
  providers: JobProviderChoice[];
  selected?: ProviderId;
  prefill?: Partial<JobRequest> & { channelId?: string };
  /** private_metadata (≤3000 chars): what the handler needs back on submit, e.g. encodeChannelMetadata(). */
  metadata: string;
  /** The file the form was opened with; it must travel in the metadata too, for the submission. */
  attachedFile?: AttachedFile;
  /** Said above the fields: what was filled in or changed, and why (Try again after a failure). */
  notes?: string[];
}

export const TRAINING_TIERS: { value: NonNullable<JobRequest['trainingType']>; label: string; hint: string }[] = [
  { value: 'globalstandard', label: 'Global Standard', hint: 'Cheapest regular tier; may train in another region.' },
  { value: 'standard', label: 'Standard (regional)', hint: 'Trains in your resource’s region; 10–30% dearer.' },
  { value: 'developer', label: 'Developer', hint: 'Half the Global price on spot capacity; may pause, no SLA.' },
];

/**
 * The `/finetune start` modal. Swapping the provider (or model) dispatches an action; the handler
 * re-renders with it. What it asks follows the provider's capabilities: a model from the list or one
 * typed; hosted knobs or the LoRA settings; a host where jobs run on named hosts.
 */
export function jobStartView(opts: JobStartOptions): ModalView {
  const base = {
    type: 'modal' as const,
    callback_id: JOB_START_CALLBACK_ID,
    title: plain('Start a fine-tune', 24),
    close: plain('Cancel', 24),
    private_metadata: opts.metadata,
  };
  const provider = opts.providers.find((p) => p.id === opts.selected) ?? opts.providers[0];
  if (!provider) {
    return {
      ...base,
      blocks: [
        {
          type: 'section',
          text: mrkdwn(
            'No training provider is configured here yet. Ask whoever runs the bot to set `OPENAI_API_KEY`, the ' +
              '`AZURE_OPENAI_*` variables, `TOGETHER_API_KEY`, `FIREWORKS_API_KEY` with `FIREWORKS_ACCOUNT_ID`, or GPU ' +
              'hosts (`GPU_HOSTS_FILE` or `GPU_SSH_HOST`); ' +
              '`/finetune cost` and `/finetune validate` work without them.',
          ),
        },
      ],
    };
  }
  const prefill = opts.prefill ?? {};
  const caps = capabilitiesOf(provider);
  const providerOptions = opts.providers.map((p) => ({ text: plain(p.label, 75), value: p.id }));
  const blocks: KnownBlock[] = [
    ...(opts.notes ?? [])
      .slice(0, 3)
      .map((note): KnownBlock => ({ type: 'context', elements: [mrkdwn(`:wrench: ${escapeMrkdwn(note)}`)] })),
    {
      type: 'input',
      block_id: B.provider,
      dispatch_action: true,
      label: plain('Provider'),
      element: {
        type: 'static_select',
        action_id: JOB_PROVIDER_ACTION_ID,
        options: providerOptions,
        initial_option: providerOptions.find((o) => o.value === provider.id),
      },
    },
  ];
  if (caps.hosts) blocks.push(hostInput(provider, prefill.host));
  const model = caps.baseModel === 'free' ? undefined : modelSelect(provider, prefill.model, blocks);
  if (caps.baseModel === 'free') blocks.push(baseModelInput(provider, prefill.model));
  if (caps.knobs === 'lora') {
    blocks.push(fileInput(false, opts.attachedFile), ...loraInputs(prefill.lora));
  } else {
    blocks.push(...hostedInputs(provider, caps, model, prefill, opts.attachedFile));
  }
  blocks.push({
    type: 'input',
    block_id: B.channel,
    label: plain('Report in'),
    hint: plain('The job’s message, updated as it runs, goes here. Invite me to private channels first.'),
    element: {
      type: 'conversations_select',
      action_id: FIELD,
      // The command's channel: given explicitly when known, else Slack's "where the modal was opened".
      ...(prefill.channelId ? { initial_conversation: prefill.channelId } : { default_to_current_conversation: true }),
      filter: { include: ['public', 'private'], exclude_bot_users: true },
    },
  });
  return { ...base, submit: plain('Review', 24), blocks };
}

/** The model select (capabilities `baseModel: 'list'`), or a warning when the provider lists none. */
function modelSelect(provider: JobProviderChoice, prefill: string | undefined, blocks: KnownBlock[]) {
  const modelOptions = provider.models.slice(0, 100).map((m) => ({ text: plain(m.label || m.id, 75), value: m.id }));
  const model = provider.models.find((m) => m.id === prefill) ?? provider.models[0];
  if (modelOptions.length === 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `:warning: ${escapeMrkdwn(provider.label)} offers no base model to tune here. Choose another provider.`,
      ),
    });
  } else {
    blocks.push({
      type: 'input',
      block_id: modelBlockId(provider.id),
      dispatch_action: true,
      label: plain('Base model'),
      element: {
        type: 'static_select',
        action_id: JOB_MODEL_ACTION_ID,
        options: modelOptions,
        ...(model ? { initial_option: modelOptions.find((o) => o.value === model.id) } : {}),
      },
    });
  }
  return model;
}

/**
 * The upload; optional where a file already on the provider may be named instead, or where the form
 * came with a file (a validated one): Slack's file input cannot be pre-filled, so it says which file
 * an empty field stands for.
 */
function fileInput(orFileId: boolean, attached: AttachedFile | undefined): KnownBlock {
  const hint = attached
    ? `Leave it empty to train on ${attached.name}, the file you validated, or upload another here.`
    : orFileId
      ? 'Upload it here, or give the id of a file already on the provider below. It is checked before anything starts.'
      : 'One example per line. It is checked before anything starts, then copied to the host the job runs on.';
  return {
    type: 'input',
    block_id: B.file,
    optional: orFileId || attached !== undefined,
    label: plain(attached ? `Training file: ${attached.name}` : 'Training file (JSONL)', 2000),
    hint: plain(hint, 2000),
    element: { type: 'file_input', action_id: FIELD, filetypes: ['jsonl'], max_files: 1 },
  };
}

/**
 * A hosted API's inputs (capabilities `knobs: 'hosted'`): file ids where the provider keeps files,
 * suffix where it takes one, method, epochs, batch, the learning rate as the provider takes it, the
 * adapter, checkpoints and evaluations where offered, the tier where there are tiers.
 */
function hostedInputs(
  provider: JobProviderChoice,
  caps: ProviderCapabilities,
  model: ModelInfo | undefined,
  prefill: NonNullable<JobStartOptions['prefill']>,
  attached: AttachedFile | undefined,
): KnownBlock[] {
  const hp = prefill.hyperparameters;
  const fileIds = caps.fileIds !== false;
  const blocks: KnownBlock[] = [fileInput(fileIds, attached)];
  if (fileIds) {
    blocks.push(
      textInput(B.fileId, `…or a file already on ${provider.label}`, 'file-abc123', prefill.trainingFileId, {
        hint: 'The id the provider gave the uploaded file.',
      }),
    );
  }
  if (validationFileIds(caps)) {
    blocks.push(
      textInput(B.validationFileId, 'Validation file id', 'file-abc123', prefill.validationFileId, {
        hint: 'Optional: a file already on the provider, for validation loss.',
      }),
    );
  }
  const suffixMax = caps.suffixMax ?? 0;
  if (suffixMax > 0) {
    blocks.push(
      textInput(B.suffix, 'Model name suffix', 'support-bot', prefill.suffix?.slice(0, suffixMax), {
        hint: `Optional. Up to ${suffixMax} letters, digits, - and _; it becomes part of the tuned model’s name.`,
        maxLength: suffixMax,
      }),
    );
  }
  blocks.push(
    methodInput(model, prefill.method),
    textInput(B.epochs, 'Epochs', 'auto', numberText(hp?.nEpochs), { hint: 'A whole number from 1 to 50, or auto.' }),
    textInput(B.batchSize, 'Batch size', 'auto', numberText(hp?.batchSize), {
      hint: 'A whole number from 1 to 256, or auto.',
    }),
  );
  if (caps.learningRate !== 'absolute') {
    blocks.push(
      textInput(B.lrMultiplier, 'Learning-rate multiplier', 'auto', numberText(hp?.learningRateMultiplier), {
        hint: 'Above 0 and at most 10, e.g. 0.5 or 2, or auto.',
      }),
    );
  }
  blocks.push(...adapterInputs(caps, provider.label, hp));
  if (caps.trainingTiers && caps.trainingTiers.length > 0) {
    const offered = caps.trainingTiers;
    const tiers = TRAINING_TIERS.filter((t) => offered.includes(t.value)).map((t) => ({
      text: plain(t.label, 75),
      description: plain(t.hint, 75),
      value: t.value,
    }));
    blocks.push({
      type: 'input',
      block_id: B.trainingType,
      label: plain('Training tier'),
      element: {
        type: 'radio_buttons',
        action_id: FIELD,
        options: tiers,
        initial_option: tiers.find((t) => t.value === (prefill.trainingType ?? 'globalstandard')) ?? tiers[0],
      },
    });
  }
  return blocks;
}

/** Supervised always; DPO only when the chosen model offers it. */
function methodInput(model: ModelInfo | undefined, prefill: JobRequest['method'] | undefined): KnownBlock {
  const options: PlainTextOption[] = [
    { text: plain('Supervised', 75), description: plain('Learn from example conversations.', 75), value: 'supervised' },
  ];
  if (model?.methods.includes('dpo')) {
    options.push({
      text: plain('DPO', 75),
      description: plain('Learn from preferred vs. rejected answers.', 75),
      value: 'dpo',
    });
  }
  return {
    type: 'input',
    block_id: B.method,
    label: plain('Method'),
    element: {
      type: 'radio_buttons',
      action_id: FIELD,
      options,
      initial_option: options.find((o) => o.value === prefill) ?? options[0],
    },
  };
}
