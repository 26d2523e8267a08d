/**
 * pino `redact` paths: every field under which the bot holds a secret, by name, so that a whole Config, an
 * environment or a request's headers can be logged without the value reaching the line. logger.ts also scrubs
 * every string by key name and token shape, at any depth; this list is the second, explicit layer, which stands
 * on its own (test/logger.test.ts runs pino with these paths alone) and names what the key pattern cannot know
 * (`DATABASE_URL`, a PostgreSQL `database.url`, an SSH key object).
 *
 * Paths that start with a wildcard are checked against every key of every line (about 0.5 µs each), paths that
 * start with a name only when a line has that key: so the Config, the environment and the headers are named
 * under the keys they are logged as, and only a few generic field names are wildcards.
 */

/** Config's secret fields, as config/index.ts builds them (config/jobs.ts, config/hosted.ts, config/gpu*.ts). */
const CONFIG_PATHS = [
  'slack.botToken',
  'slack.appToken',
  'slack.signingSecret',
  'providers.openai.apiKey',
  'providers.azure.apiKey',
  'hosted.together.apiKey',
  'hosted.fireworks.apiKey',
  'hosted.openaiWebhookSecret',
  // DATABASE_URL parsed: a PostgreSQL target carries its URL (with the password) or the password itself.
  'database.url',
  'database.password',
  'database.connectionString',
  // GPU hosts: the private key (an SshPrivateKey already prints as "[redacted]"; an agent's socket is no secret).
  'gpu.hosts[*].auth.key',
];

/** The environment, when an env object (process.env, a .env parse) is logged. */
const ENV_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'OPENAI_API_KEY',
  'OPENAI_WEBHOOK_SECRET',
  'AZURE_OPENAI_API_KEY',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'TOGETHER_API_KEY',
  'FIREWORKS_API_KEY',
  // A PostgreSQL URL carries its password; the whole URL goes, as it is one string.
  'DATABASE_URL',
  'PGPASSWORD',
  'GPU_SSH_KEY_PASSPHRASE',
];

/**
 * Headers that authenticate: bearer tokens (Slack, OpenAI, Together, Fireworks, Entra ID), Azure's `api-key`,
 * Slack's request signature and the Standard Webhooks signature OpenAI sends.
 */
const HEADERS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-slack-signature',
  'webhook-signature',
];

/** Where headers are found: a request or response logged as such, or an SDK error that carries them. */
const HEADER_HOLDERS = [
  'headers',
  'req.headers',
  'res.headers',
  'request.headers',
  'response.headers',
  'err.headers',
  'err.request.headers',
  'err.response.headers',
  'err.config.headers',
  'error.headers',
  'error.response.headers',
];

/** Field names that are secret wherever they are, one object down (the few wildcard paths). */
const ANYWHERE = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'secret',
  'clientSecret',
  'password',
  'passphrase',
  'privateKey',
  'authorization',
];

/** `a.b` for a plain name, `a["x-api-key"]` for one that is not an identifier. */
function field(parent: string, name: string): string {
  const path = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`;
  return parent === '' ? path.replace(/^\./, '') : `${parent}${path}`;
}

export const REDACT_PATHS: readonly string[] = [
  // A Config logged whole (`{ config }`), or spread into the line.
  ...CONFIG_PATHS.flatMap((path) => [path, `config.${path}`]),
  ...ENV_VARIABLES.flatMap((name) => [name, `env.${name}`, `config.${name}`]),
  ...HEADER_HOLDERS.flatMap((holder) => HEADERS.map((name) => field(holder, name))),
  ...ANYWHERE.flatMap((name) => [name, `*.${name}`]),
];
