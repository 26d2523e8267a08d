/**
 * Together AI's wire shapes, as far as the bot reads them (togethercomputer/openapi, openapi.yaml,
 * read at commit 090263a of 2026-04-28: FinetuneResponse, FineTuneEvent, FineTuneCheckpoint,
 * FileResponse). Every field is optional here: the spec marks few as required, and a missing one
 * must degrade a message, not break the monitor.
 */

export type TogetherJobStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'compressing'
  | 'uploading'
  | 'cancel_requested'
  | 'cancelled'
  | 'error'
  | 'completed';

export interface WireEvent {
  object?: string;
  created_at?: string;
  level?: string | null;
  message?: string;
  type?: string;
  step?: number;
  total_steps?: number;
  token_count?: number;
  checkpoint_path?: string;
  model_path?: string;
  hash?: string;
}

export interface WireJob {
  id: string;
  status?: TogetherJobStatus | string;
  model?: string;
  model_output_name?: string;
  training_file?: string;
  validation_file?: string;
  suffix?: string;
  created_at?: string;
  updated_at?: string;
  started_at?: string;
  n_epochs?: number;
  n_evals?: number;
  n_checkpoints?: number;
  batch_size?: number | string;
  learning_rate?: number;
  epochs_completed?: number;
  /** Tokens billed, once tokenization has run (docs/fine-tuning/pricing). */
  token_count?: number;
  total_price?: number;
  events?: WireEvent[];
  progress?: { estimate_available?: boolean; seconds_remaining?: number };
}

export interface WireFile {
  id: string;
  filename?: string;
  bytes?: number;
  purpose?: string;
}

export interface WireCheckpoint {
  step?: number;
  created_at?: string;
  path?: string;
  checkpoint_type?: string;
}

/** One row of /fine-tunes/{id}/metrics: a flat map such as `train/loss`, `train/global_step`. */
export type WireMetrics = Record<string, number>;
