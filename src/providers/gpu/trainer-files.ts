import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RemoteHost } from './remote.ts';
import { joinRemote } from './shell.ts';

/**
 * The trainer the bot ships to each host: trainer/train_lora.py, requirements.txt and
 * trainer/ftbot_trainer/*.py (not its tests), installed once per host and version in `<work dir>/.trainer/<version>/`, where
 * the version is a hash of the files. Shared rather than copied into every job folder because the
 * pre-flight needs the trainer before any job folder exists, and one copy per version is one
 * upload per host instead of one per job and per review; a job keeps running the version it was
 * launched with even after the bot is upgraded (a new version goes to a new folder). Installed
 * atomically: written to a temporary folder, completed, then renamed into place, so a half-copied
 * trainer is never run.
 */

export const DEFAULT_TRAINER_DIR = fileURLToPath(new URL('../../../trainer/', import.meta.url));
const PACKAGE = 'ftbot_trainer';
const ENTRY = 'train_lora.py';
const REQUIREMENTS = 'requirements.txt';
const COMPLETE = '.complete';

export interface TrainerBundle {
  version: string;
  files: Array<{ path: string; data: Buffer }>;
  /** The script to run inside the installed folder. */
  entry: string;
}

/**
 * Reads the trainer's files. `script`, when given, is installed as train_lora.py in place of the
 * real one: the tests' stand-in trainer, which speaks the same events protocol.
 */
export function readTrainer(dir: string = DEFAULT_TRAINER_DIR, script?: string): TrainerBundle {
  const files: TrainerBundle['files'] = [
    { path: ENTRY, data: readFileSync(script ?? join(dir, ENTRY)) },
    // The pre-flight's hint for missing packages points at it, beside train_lora.py.
    { path: REQUIREMENTS, data: readFileSync(join(dir, REQUIREMENTS)) },
  ];
  for (const name of readdirSync(join(dir, PACKAGE)).sort()) {
    if (name.endsWith('.py')) files.push({ path: `${PACKAGE}/${name}`, data: readFileSync(join(dir, PACKAGE, name)) });
  }
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.path}\0${f.data.length}\0`).update(f.data);
  return { version: hash.digest('hex').slice(0, 16), files, entry: ENTRY };
}

// $1: the temporary folder, $2: the version folder. Another process may have installed it meanwhile.
const INSTALL = [
  'set -u',
  'if [ -d "$2" ]; then rm -rf -- "$1"; exit 0; fi',
  'mv -T -- "$1" "$2" 2>/dev/null || mv -- "$1" "$2" 2>/dev/null || rm -rf -- "$1"',
  '[ -e "$2/.complete" ]',
].join('\n');

/** Installs the bundle on the host when it is not there yet; resolves to the version folder. */
export async function installTrainer(remote: RemoteHost, bundle: TrainerBundle): Promise<string> {
  const root = joinRemote(await remote.workDir(), '.trainer');
  const target = joinRemote(root, bundle.version);
  if (await remote.exists(joinRemote(target, COMPLETE))) return target;
  const temp = joinRemote(root, `.tmp-${bundle.version}-${randomBytes(4).toString('hex')}`);
  await remote.mkdirp(joinRemote(temp, PACKAGE));
  for (const file of bundle.files) {
    const [folder, name] = file.path.includes('/') ? file.path.split('/') : [undefined, file.path];
    const path = folder ? joinRemote(temp, folder, name as string) : joinRemote(temp, name as string);
    await remote.writeFile(path, file.data, { mode: 0o600 });
  }
  await remote.writeFile(joinRemote(temp, COMPLETE), `${bundle.version}\n`);
  await remote.execOk('exec /bin/sh -c', [INSTALL, 'sh', temp, target]);
  return target;
}

/** Installs per host, one at a time (a folder already there costs one stat: a wiped work dir is noticed). */
export class TrainerInstalls {
  readonly #bundle: TrainerBundle;
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(bundle: TrainerBundle) {
    this.#bundle = bundle;
  }

  get version(): string {
    return this.#bundle.version;
  }

  get entry(): string {
    return this.#bundle.entry;
  }

  /** The installed version folder on `remote`'s host. */
  async folder(remote: RemoteHost): Promise<string> {
    let install = this.#inFlight.get(remote.name);
    if (!install) {
      install = installTrainer(remote, this.#bundle).finally(() => this.#inFlight.delete(remote.name));
      this.#inFlight.set(remote.name, install);
    }
    return install;
  }
}
