/**
 * The ids the job builders put on views and buttons, so handlers route by the same constants the
 * builders use. Every job button carries the job id as its `value`.
 */

/** The `/finetune start` modal. */
export const JOB_START_CALLBACK_ID = 'job_start';
/** The review step pushed/updated after the start modal; its submit starts the job or asks for approval. */
export const JOB_REVIEW_CALLBACK_ID = 'job_review';
/** The "Try it" prompt modal. */
export const JOB_TRY_CALLBACK_ID = 'job_try';

/** The provider select in the start modal: `dispatch_action`, so the handler can swap the model list. */
export const JOB_PROVIDER_ACTION_ID = 'job_provider';
/** The model select: also `dispatch_action`, so the method choice can offer DPO only where the model has it. */
export const JOB_MODEL_ACTION_ID = 'job_model';

/** Buttons on the job message and its thread. */
export const JOB_CANCEL_ACTION_ID = 'job_cancel';
export const JOB_REFRESH_ACTION_ID = 'job_refresh';
export const JOB_TRY_ACTION_ID = 'job_try';
export const JOB_DEPLOY_ACTION_ID = 'job_deploy';
export const JOB_DELETE_DEPLOYMENT_ACTION_ID = 'job_delete_deployment';
/** On a failed job's message: the start form again, filled in from the failed job. */
export const JOB_RETRY_ACTION_ID = 'job_retry';
/** On the approval request sent to approvers. */
export const JOB_APPROVE_ACTION_ID = 'job_approve';
export const JOB_REJECT_ACTION_ID = 'job_reject';
/** On each row of `/finetune jobs`: shows that job's full status (ephemeral). */
export const JOB_DETAILS_ACTION_ID = 'job_details';

/** Block ids of the start modal's inputs: the keys of `view.state.values` and of `response_action: errors`. */
export const JOB_START_BLOCKS = {
  provider: 'provider',
  /** The model select's block id is `model_<provider>` (see modelBlockId), so swapping providers resets it. */
  model: 'model',
  file: 'file',
  fileId: 'fileId',
  validationFileId: 'validationFileId',
  suffix: 'suffix',
  method: 'method',
  epochs: 'epochs',
  batchSize: 'batchSize',
  lrMultiplier: 'lrMultiplier',
  /** Providers that take the learning rate itself (capabilities `learningRate: 'absolute'`). */
  learningRate: 'learningRate',
  /** Hosted adapters: LoRA rank, or full fine-tuning (capabilities `adapter`). */
  adapter: 'adapter',
  checkpoints: 'checkpoints',
  evaluations: 'evaluations',
  trainingType: 'trainingType',
  channel: 'channel',
  /** Providers whose jobs run on named hosts: which one, or auto. */
  host: 'host',
  /** Providers that take any base model (`baseModel: 'free'`): a hub id or a path, typed. */
  baseModel: 'baseModel',
  /** LoRA knobs; the numbers' blocks are in lora-settings.ts (LORA_NUMBER_FIELDS). */
  loraMethod: 'loraMethod',
  loraTargets: 'loraTargets',
  loraPacking: 'loraPacking',
} as const;

/** The host select's value for "let the provider pick a free host". */
export const AUTO_HOST = 'auto';

/** `model_openai`: a fresh block per provider, so Slack does not carry a stale model into the new list. */
export function modelBlockId(provider: string): string {
  return `${JOB_START_BLOCKS.model}_${provider}`;
}

/** The action id of every start-modal input but the provider and model selects. */
export const JOB_FIELD_ACTION_ID = 'value';

/** The block and action ids of the Try it modal's prompt. */
export const JOB_TRY_PROMPT_BLOCK = 'prompt';
