import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { REDACT_PATHS } from '../src/log-redact.ts';
import { boltLogger, createLogger, type Logger, safeStringify, scrubDeep, scrubSecrets } from '../src/logger.ts';

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

  it('scrubs webhook secrets and the hosted providers’ keys from free text', () => {
    expect(
      scrubSecrets(
        'secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, keys tgp_v1_abcDEF123456 and fw_3ZkQ9r8GKYqrTwjUPD8I',
      ),
    ).toBe('secret [redacted], keys [redacted] and [redacted]');
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

  it('scrubs JSON-shaped secret fields, whatever the key and spacing', () => {
    const text = [
      '{"token":"opaque-1","Client_Secret": "opaque-2","user_password" : "opaque-3"}',
      '{"headers":{"Authorization":"Basic opaque-4"},"x-api-key":"opaque-5"}',
      String.raw`body: {\"bot_token\":\"opaque-6\"}`,
      "{ 'refreshToken': 'opaque-7' }",
      'GET /oauth?client_id=1&client_secret=opaque-8&max_tokens=100',
    ].join('\n');
    const out = scrubSecrets(text);
    for (let i = 1; i <= 8; i++) expect(out).not.toContain(`opaque-${i}`);
    expect(out).toContain('"token":"[redacted]"');
    expect(out).toContain('"Client_Secret": "[redacted]"');
    expect(out).toContain(String.raw`\"bot_token\":\"[redacted]\"`);
    // Token counts are not secrets.
    expect(out).toContain('max_tokens=100');
    expect(scrubSecrets('{"max_tokens":100,"prompt_tokens": 12}')).toBe('{"max_tokens":100,"prompt_tokens": 12}');
  });

  it('scrubs webhook paths, every Slack token kind, Bearer and sk- keys', () => {
    const secrets = {
      'https://hooks.slack.com/commands/T0001/1234/abcSECRETdef': 'https://hooks.slack.com/[redacted]',
      'https://hooks.slack.com/services/T0/B0/XXXXSECRET': 'https://hooks.slack.com/[redacted]',
      'xapp-1-A0-123-abcdef': '[redacted]',
      'xoxp-1-2-3-userSECRET': '[redacted]',
      'xoxe-1-refreshSECRET': '[redacted]',
      'xoxe.xoxp-1-rotatedSECRET': '[redacted]',
      'Bearer eyJhbGciOi.SECRET.sig': 'Bearer [redacted]',
      'sk-proj-AbCdEfGhIjKlMnOpQrStUv_SECRET': '[redacted]',
      'sk-abcdefghijklmnopqrstuvwxyzSECRET': '[redacted]',
    };
    for (const [secret, expected] of Object.entries(secrets)) {
      expect(scrubSecrets(`posting to ${secret} now`)).toBe(`posting to ${expected} now`);
    }
    // Ordinary words that merely look similar are left alone.
    expect(scrubSecrets('task-runner uses sk-learn; see https://api.slack.com/docs')).toBe(
      'task-runner uses sk-learn; see https://api.slack.com/docs',
    );
  });

  it('scrubs nested objects, arrays, errors and causes without crashing on cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'job', url: 'https://hooks.slack.com/actions/T1/2/deepSECRET' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { nested: { apiKey: 'opaque-apikey', max_tokens: 512 } }];
    const err = new Error('request failed: {"token":"opaque-in-message"}', {
      cause: new Error('upstream said Bearer opaque-in-cause'),
    });
    Object.assign(err, { data: { response_metadata: { messages: ['xoxb-1-2-inDataSECRET'] } } });
    const shared = { ok: true };
    const out = scrubDeep({ cyclic, err, again: err, a: shared, b: shared, n: 10n }) as Record<string, unknown>;
    const json = safeStringify(out);
    for (const secret of ['deepSECRET', 'opaque-apikey', 'opaque-in-message', 'opaque-in-cause', 'inDataSECRET']) {
      expect(json).not.toContain(secret);
    }
    expect(json).toContain('[Circular]');
    expect(json).toContain('"max_tokens":512');
    // Repeated but acyclic references are not mistaken for cycles.
    expect(out.a).toEqual({ ok: true });
    expect(out.b).toEqual({ ok: true });
    expect(out.again).toEqual(out.err);
    expect((out.err as Record<string, unknown>).stack).toContain('request failed');
  });

  it('scrubs what pino writes at any depth, in errors, bindings and printf arguments', () => {
    const { logger, text } = capture();
    const cyclic: Record<string, unknown> = { response_url: 'https://hooks.slack.com/commands/T1/2/fieldSECRET' };
    cyclic.me = cyclic;
    logger.info(
      { request: { headers: { Authorization: 'Basic opaque-header' } }, items: [{ secret: 'opaque-item' }], cyclic },
      'hello',
    );
    const err = new Error('failed with sk-abcdefghijklmnopqrstuvwxyzSECRET', {
      cause: new Error('cause had xoxp-1-2-causeSECRET'),
    });
    logger.error(err);
    logger.warn({ err }, 'with a field');
    logger.child({ botToken: 'opaque-binding', note: 'xoxb-1-2-bindingSECRET' }).info('child');
    logger.info('printf %s and %o', 'xoxb-1-2-printfSECRET', { token: 'opaque-printf', cyclic });
    const out = text();
    for (const secret of [
      'fieldSECRET',
      'opaque-header',
      'opaque-item',
      'SECRET',
      'opaque-binding',
      'opaque-printf',
      'causeSECRET',
    ]) {
      expect(out).not.toContain(secret);
    }
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(5);
    expect(lines[0].cyclic.me).toBe('[Circular]');
    expect(lines[0].cyclic.response_url).toBe('https://hooks.slack.com/[redacted]');
    // logger.error(err) keeps pino's shape: the error under `err` and its (scrubbed) message as the message.
    expect(lines[1].msg).toBe('failed with [redacted]');
    expect(lines[1].err.type).toBe('Error');
    expect(lines[1].err.cause.message).toBe('cause had [redacted]');
    expect(lines[2].msg).toBe('with a field');
  });

  it('lets Bolt log cyclic objects, BigInt and errors in any position, scrubbed', () => {
    const { logger, text } = capture();
    const bolt = boltLogger(logger);
    const cyclic: Record<string, unknown> = { token: 'opaque-bolt', count: 3n };
    cyclic.self = cyclic;
    expect(() => bolt.debug('event body', cyclic, 42n, undefined)).not.toThrow();
    expect(() => bolt.warn('retrying', new Error('rate limited, Bearer opaque-bearer'), { attempt: 2 })).not.toThrow();
    const out = text();
    expect(out).not.toContain('opaque-bolt');
    expect(out).not.toContain('opaque-bearer');
    const [debug, warn] = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(debug.component).toBe('bolt');
    expect(debug.msg).toBe('event body {"token":"[redacted]","count":"3n","self":"[Circular]"} 42n undefined');
    expect(warn.msg).toBe('retrying {"attempt":2}');
    expect(warn.err.message).toBe('rate limited, Bearer [redacted]');
  });

  it('scrubs megabyte words, however they are made, and still finds the secrets around them', () => {
    const huge = 2_000_000;
    for (const unit of ['a', 'a.b-c_', '"token', 'token', '\\"']) {
      const word = unit.repeat(huge / unit.length);
      expect(scrubSecrets(word)).toBe(word);
    }
    for (const unit of ['sk-', 'xoxb-']) expect(scrubSecrets(unit.repeat(huge / unit.length))).toBe('[redacted]');
    const word = 'x'.repeat(huge);
    const out = scrubSecrets(
      `${word} {"token":"opaque-after"} ${word}_token="opaque-glued" ?secret=opaque-query xoxb-1-2-end`,
    );
    for (const secret of ['opaque-after', 'opaque-glued', 'opaque-query', 'xoxb-1-2-end']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('_token="[redacted]"');
  });

  it('cuts long strings in log lines, after scrubbing, so no secret survives half cut', () => {
    const mark = /…\[\+\d+ chars\]$/;
    const big = 'x'.repeat(2_000_000);
    const cut = scrubDeep(big) as string;
    expect(cut.length).toBeLessThanOrEqual(2_000);
    expect(cut).toMatch(mark);
    expect(scrubDeep(cut)).toBe(cut);
    expect(scrubDeep('short')).toBe('short');
    // A secret at every offset around the cut: neither it nor any prefix of it may be left.
    for (let at = 1_950; at < 2_010; at++) {
      for (const secret of ['xoxb-1-2-edgeSECRET', '{"token":"opaque-edge-SECRET"}', '&api_key=opaque-edge-SECRET']) {
        const line = scrubDeep(`${'y'.repeat(at)}${secret} ${'z'.repeat(5_000)}`) as string;
        expect(line).toMatch(mark);
        expect(line).not.toMatch(/xoxb-|opaque|SECRET/);
      }
    }
    // The value's closing quote is a megabyte past the cut: it is still found, not the value's start left.
    const field = scrubDeep(`{"token":"${'opaque-'.repeat(200_000)}","next":1}`);
    expect(field).toBe('{"token":"[redacted]","next":1}');
  });

  it('cuts a 40 KB private_metadata to a short field', () => {
    const { logger, text } = capture();
    const body = { type: 'view_submission', view: { private_metadata: 'm'.repeat(40_000), callback_id: 'estimate' } };
    logger.info({ body }, 'x');
    expect(text().length).toBeLessThan(2_500);
    const line = JSON.parse(text());
    expect(line.body.view.callback_id).toBe('estimate');
    expect(line.body.view.private_metadata).toMatch(/^m{1900,}…\[\+38\d\d\d chars\]$/);
  });

  it('keeps every log line short whatever a Slack payload carries', () => {
    const { logger, text } = capture();
    const huge = 'p'.repeat(2_000_000);
    logger.info({ body: { payload: JSON.stringify({ view: { private_metadata: huge } }), [huge]: 1 } }, huge);
    logger.error(new Error(`bad payload ${huge}`));
    boltLogger(logger).debug('event body', { body: { view: { private_metadata: huge } } });
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(3);
    // At most three cut strings a line (message, field, key); the error line has msg, err.message and err.stack.
    for (const line of lines) expect(line.length).toBeLessThan(line === lines[1] ? 13_000 : 7_000);
    const [, failed, bolt] = lines.map((line) => JSON.parse(line));
    // A stack may be longer than other strings, even after pino's err serializer has seen it a second time.
    expect(failed.err.message.length).toBeLessThanOrEqual(2_000);
    expect(failed.err.stack.length).toBeGreaterThan(2_000);
    expect(failed.err.stack.length).toBeLessThanOrEqual(8_000);
    expect(failed.msg.length).toBeLessThanOrEqual(2_000);
    expect(bolt.msg.length).toBeLessThanOrEqual(2_000);
  });
});

describe('redacting every secret the bot holds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftbot-logger-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'id_bot');
  const PASSPHRASE = 'opaque-ssh-passphrase';
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'bot', '-f', keyFile]);
  // The key's base64 body, as it would appear if its bytes were ever written out.
  const keyBody = readFileSync(keyFile, 'utf8').split('\n')[1] ?? '';

  // Values shaped so that no token pattern knows them: only the field names can give them away.
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-1-2-opaque-bot-token',
    SLACK_SIGNING_SECRET: 'opaque-signing-secret',
    OPENAI_API_KEY: 'opaque-openai-key',
    OPENAI_WEBHOOK_SECRET: 'whsec_opaqueWebhookSecret',
    AZURE_OPENAI_ENDPOINT: 'https://acme.openai.azure.com',
    AZURE_OPENAI_API_KEY: 'opaque-azure-key',
    TOGETHER_API_KEY: 'opaque-together-key',
    FIREWORKS_API_KEY: 'opaque-fireworks-key',
    FIREWORKS_ACCOUNT_ID: 'acme',
    DATABASE_URL: 'postgres://bot:opaque-pg-password@db.internal:5432/ftbot',
    GPU_SSH_HOST: 'gpu1.lan',
    GPU_SSH_USER: 'train',
    GPU_SSH_KEY_PATH: keyFile,
    GPU_SSH_KEY_PASSPHRASE: PASSPHRASE,
    GPU_SSH_HOST_KEY: 'SHA256:a7hQhxEm5AVskOGOEC8QaNROwgsG5PX+QHfBojbjyXo',
    GPU_SSH_GPU_TYPE: 'L40S',
    PORT: '0',
    AZURE_RETAIL_PRICES_URL: 'off',
  };
  const secrets = [
    'opaque-bot-token',
    'opaque-signing-secret',
    'opaque-openai-key',
    'opaqueWebhookSecret',
    'opaque-azure-key',
    'opaque-together-key',
    'opaque-fireworks-key',
    'opaque-pg-password',
    PASSPHRASE,
    keyBody,
  ];
  const config = loadConfig(env);

  /** An SDK error the way the HTTP clients make them: the request's and the response's headers on it. */
  function httpError(): Error {
    return Object.assign(new Error('401 from postgres://bot:opaque-pg-password@db.internal/ftbot'), {
      status: 401,
      headers: { authorization: 'Bearer opaque-openai-key', 'api-key': 'opaque-azure-key' },
      request: { headers: { cookie: 'session=opaque-cookie', 'webhook-signature': 'v1,opaque-signature' } },
      response: { headers: { 'set-cookie': 'session=opaque-cookie', 'x-api-key': 'opaque-fireworks-key' } },
    });
  }

  function lines(write: (logger: Logger) => void, logger?: (dest: Writable) => Logger) {
    const out: string[] = [];
    const dest = new Writable({
      write(chunk, _enc, done) {
        out.push(String(chunk));
        done();
      },
    });
    write(logger ? logger(dest) : createLogger('debug', dest));
    return out.join('');
  }

  it('writes no secret when a whole Config, the environment or an error with headers is logged', () => {
    expect(config.database).toMatchObject({ kind: 'postgres' });
    expect(config.gpu?.hosts[0]?.auth.kind).toBe('key');
    const out = lines((logger) => {
      logger.info({ config }, 'configured');
      logger.info(config as unknown as Record<string, unknown>, 'spread');
      logger.info({ env }, 'environment');
      logger.error({ err: httpError() }, 'call failed');
      logger.error(httpError());
      logger.child({ config }).warn('from a child');
    });
    for (const secret of [...secrets, 'opaque-cookie', 'opaque-signature']) expect(out).not.toContain(secret);
    const first = JSON.parse(out.split('\n')[0] ?? '{}');
    expect(first.config.slack.botToken).toBe('[redacted]');
    expect(first.config.database.url).toBe('[redacted]');
    // What is not secret stays readable.
    expect(first.config.providers.azure.endpoint).toBe('https://acme.openai.azure.com');
    expect(first.config.gpu.hosts[0].address).toBe('gpu1.lan');
    expect(out).toContain('postgres://bot:[redacted]@db.internal/ftbot');
  });

  it('names every secret field in pino’s redact paths, which alone keep them out of the line', () => {
    // pino with the paths and nothing else: no key-name or token-shape scrubbing behind them.
    const bare = (dest: Writable) =>
      pino({ redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } }, dest) as unknown as Logger;
    const out = lines((logger) => {
      logger.info({ config }, 'configured');
      logger.info(config as unknown as Record<string, unknown>, 'spread');
      logger.info({ env }, 'environment');
      logger.info({ err: { ...httpError(), message: 'failed' } }, 'call failed');
      logger.info({ headers: { authorization: 'Bearer opaque-openai-key', cookie: 'opaque-cookie' } }, 'request');
    }, bare);
    for (const secret of [...secrets, 'opaque-cookie', 'opaque-signature']) expect(out).not.toContain(secret);
    expect(out.split('\n').filter(Boolean)).toHaveLength(5);
  });

  it('scrubs a password from any URL in free text, keeping the user and the host', () => {
    expect(scrubSecrets('could not connect to postgresql://bot:p%40ss-w0rd@10.0.0.5:5432/ftbot?sslmode=require')).toBe(
      'could not connect to postgresql://bot:[redacted]@10.0.0.5:5432/ftbot?sslmode=require',
    );
    // No password, or a port, is left alone.
    expect(scrubSecrets('postgres://bot@db/ftbot and http://host:8080/x@y')).toBe(
      'postgres://bot@db/ftbot and http://host:8080/x@y',
    );
    const word = `://${'a:'.repeat(500_000)}`;
    expect(scrubSecrets(word)).toBe(word);
  });
});
