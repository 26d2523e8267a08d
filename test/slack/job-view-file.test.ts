import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/providers/types.ts';
import { decodeChannelMetadata, encodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import { decodeFileStart, encodeFileStart } from '../../src/slack/file-start.ts';
import { JOB_MODEL_ACTION_ID, JOB_PROVIDER_ACTION_ID, modelBlockId } from '../../src/slack/job-ids.ts';
import { type JobProviderChoice, jobStartView, parseJobStart } from '../../src/slack/job-view.ts';
import { checkView } from '../support/slack-limits.ts';

/** A job form opened with a file (from a validation report): what it shows, and what its submission means. */

const mini: ModelInfo = { id: 'gpt-4.1-mini-2025-04-14', label: 'GPT-4.1 mini', methods: ['supervised'] } as ModelInfo;
const PROVIDERS: JobProviderChoice[] = [{ id: 'openai', label: 'OpenAI', models: [mini] } as JobProviderChoice];
const attached = { id: 'F0VALID', name: 'tickets.jsonl' };

function values(o: { upload?: object; fileId?: string } = {}) {
  const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
  return {
    provider: { [JOB_PROVIDER_ACTION_ID]: { type: 'static_select', selected_option: { value: 'openai' } } },
    [modelBlockId('openai')]: { [JOB_MODEL_ACTION_ID]: { type: 'static_select', selected_option: { value: mini.id } } },
    file: { value: { type: 'file_input', files: o.upload ? [o.upload] : [] } },
    fileId: text(o.fileId),
    method: { value: { type: 'radio_buttons', selected_option: { value: 'supervised' } } },
    epochs: text(undefined),
    batchSize: text(undefined),
    lrMultiplier: text(undefined),
    channel: { value: { type: 'conversations_select', selected_conversation: 'C0CHAN' } },
  };
}

describe('a job form that came with a file', () => {
  it('names the file and leaves the upload optional, within Slack limits', () => {
    const view = jobStartView({ providers: PROVIDERS, metadata: '{}', attachedFile: attached });
    expect(checkView(view)).toEqual([]);
    const file = view.blocks.find((b) => b.block_id === 'file') as { optional?: boolean; label: { text: string } };
    expect(file.optional).toBe(true);
    expect(file.label.text).toBe('Training file: tickets.jsonl');
  });

  it('uses that file when the upload is left empty', () => {
    const parsed = parseJobStart(values() as never, PROVIDERS, attached);
    expect(parsed).toMatchObject({
      ok: true,
      request: { uploadedFile: { id: 'F0VALID', name: 'tickets.jsonl' }, trainingFileName: 'tickets.jsonl' },
    });
  });

  it('lets a new upload, or a file id typed, replace it', () => {
    const upload = { id: 'F0OTHER', name: 'other.jsonl', size: 10, url_private_download: 'https://files.slack.com/x' };
    expect(parseJobStart(values({ upload }) as never, PROVIDERS, attached)).toMatchObject({
      ok: true,
      request: { uploadedFile: { id: 'F0OTHER', name: 'other.jsonl' } },
    });
    const byId = parseJobStart(values({ fileId: 'file-abc123' }) as never, PROVIDERS, attached);
    expect(byId).toMatchObject({ ok: true, request: { trainingFileId: 'file-abc123' } });
    expect(byId.ok && byId.request.uploadedFile).toBeFalsy();
  });

  it('still asks for a file when none came and none was given', () => {
    expect(parseJobStart(values() as never, PROVIDERS)).toMatchObject({
      ok: false,
      errors: { file: expect.any(String) },
    });
  });
});

describe('the file in the form metadata and on the button', () => {
  it('round-trips, and a file that is not a Slack file id is dropped, not trusted', () => {
    const raw = encodeChannelMetadata({ channelId: 'C0CHAN', file: attached });
    expect(decodeChannelMetadata(raw)).toEqual({ channelId: 'C0CHAN', file: attached });
    const forged = JSON.stringify({ v: 1, channel: 'C0CHAN', file: { id: '../etc/passwd', name: 'x.jsonl' } });
    expect(decodeChannelMetadata(forged)).toEqual({ channelId: 'C0CHAN' });
  });

  it('encodes the button value small, and refuses one that is not ours', () => {
    const value = encodeFileStart({
      fileId: 'F0VALID',
      fileName: `${'a'.repeat(249)}.jsonl`,
      model: mini.id,
      epochs: 50,
    });
    expect(value.length).toBeLessThan(2000);
    expect(decodeFileStart(value)).toMatchObject({ fileId: 'F0VALID', model: mini.id, epochs: 50 });
    for (const bad of [
      undefined,
      '',
      'not json',
      '{"f":"F1"}',
      '{"f":"F1","n":"x.jsonl","e":99}',
      '{"f":"F1","n":"x","x":1}',
    ]) {
      expect(decodeFileStart(bad)).toBeUndefined();
    }
  });
});
