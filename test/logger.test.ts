import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { boltLogger, createLogger, scrubSecrets } from '../src/logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('debug', stream), text: () => lines.join('') };
}

describe('logging', () => {
  it('scrubs Slack tokens and signatures from free text', () => {
    expect(scrubSecrets(`token xoxb-123-456-abcDEF and xapp-1-A1-2-ff, sig v0=${'a'.repeat(64)}`)).toBe(
      'token [redacted] and [redacted], sig [redacted]',
    );
  });

  it('never writes a secret, whether in a field, a message or an error', () => {
    const { logger, text } = capture();
    logger.info({ token: 'xoxb-1-2-field', config: { signingSecret: 'hush' } }, 'message with xoxb-1-2-inline');
    logger.error({ err: new Error('call failed with Bearer xoxb-1-2-inerror') }, 'boom');
    boltLogger(logger).error('bolt says xapp-1-A-2-secret', new Error('xoxb-9-9-nested'));
    const out = text();
    for (const secret of [
      'xoxb-1-2-field',
      'hush',
      'xoxb-1-2-inline',
      'xoxb-1-2-inerror',
      'xapp-1-A-2-secret',
      'xoxb-9-9-nested',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });
});
