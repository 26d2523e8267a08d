import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { prettyLine, prettyStream } from '../src/log-pretty.ts';
import { createLogger } from '../src/logger.ts';

describe('log lines at a terminal', () => {
  it('read as time, level, message and fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.parse('2026-12-01T12:04:31Z'),
      app: 'finetune-bot',
      msg: 'could not read job states',
      provider: 'openai',
      jobs: 3,
    });
    expect(prettyLine(line)).toBe('12:04:31 WARN  could not read job states provider=openai jobs=3');
    expect(prettyLine('not json')).toBe('not json');
  });

  it('come from the scrubbed JSON, so a secret stays out of them too', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => {
      text += d;
    });
    const logger = createLogger('info', prettyStream(out));
    logger.info(
      { token: 'xoxb-1111-2222-secretvalue', user: 'U0ASKER' },
      'started a job for xoxb-3333-4444-othersecret',
    );
    await new Promise((r) => setImmediate(r));
    expect(text).toMatch(/^\d\d:\d\d:\d\d INFO {2}started a job for \[redacted\] token=\[redacted\] user=U0ASKER\n$/);
    expect(text).not.toContain('secretvalue');
  });
});
