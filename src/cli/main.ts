#!/usr/bin/env node
/**
 * `npx finetune-bot validate FILE …` and `npx finetune-bot estimate …`: the Slack reports, in a
 * terminal; `convert` reshapes training files. Exit 0 when all is well, 1 when the file has errors
 * (or nothing could be estimated or converted), 2 on a usage mistake, so scripts and CI can gate on it.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { environmentWithDotEnv } from '../config/index.ts';
import { loadCatalogue, PricesFileError } from '../cost/load.ts';
import { DEFAULT_MODEL, findModel, TUNABLE_MODELS } from '../data/models.ts';
import { readFileChunks } from '../data/read-file.ts';
import { UnknownModelError, validateJsonl } from '../data/validate.ts';
import { trainingCostLines } from '../reports/cost-options.ts';
import { runConvert } from './convert.ts';
import { runEstimate } from './estimate.ts';
import { formatValidationText } from './format-validation.ts';
import { type Io, UsageError } from './io.ts';

export const USAGE = `Usage:
  finetune-bot validate FILE [--model M] [--epochs N|auto] [--json]
  finetune-bot estimate (--tokens N | --file FILE) [--model M] [--epochs N] [--monthly-tokens N]
                        [--option openai:MODEL | azure:TIER:MODEL | together:[METHOD:TUNING:]MODEL
                                  | fireworks:MODEL | gpu:GPU:lora|qlora|full]…
                        [--params-b N] [--prices FILE] [--json] [--chart OUT.png] [--allow-errors]
  finetune-bot convert FILE --to chat|trainer --out OUT [--system PROMPT]
                        chat: instruction/response pairs → chat examples; trainer: chat → the LoRA trainer's
  finetune-bot COMMAND --help   this text

Token counts take suffixes: 500k, 2M, 1.5B. Models: ${TUNABLE_MODELS.map((m) => m.id).join(', ')}.`;

/** The most errors `validate --json` lists; beyond it, the count of the rest and why. */
export const JSON_MAX_ERRORS = 10_000;

async function validateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: 'string', default: DEFAULT_MODEL },
      epochs: { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
      prices: { type: 'string' },
    },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError('validate takes exactly one FILE.');
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file}: no such file.`);
  const epochs = values.epochs === 'auto' ? 'auto' : Number(values.epochs);
  if (epochs !== 'auto' && (!Number.isInteger(epochs) || epochs < 1 || epochs > 50)) {
    throw new UsageError('--epochs is a whole number from 1 to 50, or auto.');
  }
  if (!findModel(values.model)) throw new UsageError(`unknown model ${values.model}.`);
  const prices = loadCatalogue(values.prices ?? io.env.PRICES_FILE);
  // A script reading --json wants every error, not the first screenful; a cap still bounds memory.
  const report = await validateJsonl(readFileChunks(file), {
    model: values.model,
    epochs,
    ...(values.json ? { maxErrors: JSON_MAX_ERRORS } : {}),
  });
  const costs = trainingCostLines(report, prices, io.now());
  if (values.json) {
    const omitted = report.totalErrors - report.errors.length;
    io.out(
      JSON.stringify(
        {
          file,
          ...report,
          ...(omitted > 0
            ? { errorsOmitted: omitted, errorsOmittedWhy: `only the first ${JSON_MAX_ERRORS} errors are listed` }
            : {}),
          trainingCost: costs.lines,
        },
        null,
        2,
      ),
    );
  } else io.out(formatValidationText(file, report, costs.lines));

  return report.ok ? 0 : 1;
}

/** Runs one CLI invocation; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `finetune-bot validate --help` asks for help, not for a file named --help (before `--` only).
    const ownArgs = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (
      command &&
      ['validate', 'estimate', 'convert'].includes(command) &&
      ownArgs.some((a) => a === '--help' || a === '-h')
    ) {
      io.out(USAGE);
      return 0;
    }
    if (command === 'validate') return await validateCommand(rest, io);
    if (command === 'estimate') return await runEstimate(rest, io);
    if (command === 'convert') return await runConvert(rest, io);
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command ${command}.`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`finetune-bot: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof UnknownModelError || error instanceof PricesFileError) {
      io.err(`finetune-bot: ${error.message}`);
      return 2;
    }
    io.err(`finetune-bot: ${(error as Error).message}`);
    return 1;
  }
}

/** The CLI as this process; bin/finetune-bot.cjs imports this module, so it calls this itself. */
export async function runAsProcess(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    // The bot's own rule: the real environment over a .env in the working directory.
    env: environmentWithDotEnv(process.env),
    now: () => new Date(),
  });
}

if (import.meta.main) await runAsProcess();
