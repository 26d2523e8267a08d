'use strict';
// CommonJS in old syntax on purpose: this file must run on the very Nodes it turns away, including
// those that know neither ES modules nor TypeScript. `node bin/check-node.cjs [run|test]` exits 1
// with one line on stderr when this Node cannot do the job; nothing is printed when it can.

// The one place that says which Node is needed; package.json "engines" is checked against it.
// Each entry is a line of releases [from, below): below absent means every later release too.
const NEEDS = {
  // undici (Socket Mode) needs 22.19; import.meta.main, which starts the bot and the CLI, came in
  // 22.18 and 24.2, never in 23, so 23.x and 24.0–24.1 would exit silently without starting.
  run: [['22.19', '23'], ['24.2']],
  // nock needs 22.20; vitest supports 22, 24 and 26 on, not 25.
  test: [['22.20', '23'], ['24.2', '25'], ['26.0']],
};

function parse(version) {
  const parts = String(version).replace(/^v/, '').split('.');
  return [Number.parseInt(parts[0], 10), Number.parseInt(parts[1] || '0', 10)];
}

function below(a, b) {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

function lines(purpose) {
  const found = NEEDS[purpose];
  if (!found) throw new Error(`check-node: unknown purpose ${purpose}; expected run or test`);
  return found;
}

/** The npm range for package.json "engines", e.g. "^22.19.0 || >=24.2.0". */
function range(purpose) {
  return lines(purpose)
    .map((line) => (line[1] ? `^${line[0]}.0` : `>=${line[0]}.0`))
    .join(' || ');
}

function describe(purpose) {
  const words = lines(purpose).map((line) => {
    const major = line[0].split('.')[0];
    return line[1] ? `${line[0]} or a later ${major}.x` : `${line[0].replace(/\.0$/, '')} or newer`;
  });
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')}, or ${words[words.length - 1]}`;
}

/** Null when `version` (such as process.versions.node) will do for `purpose`, else the one line to print. */
function checkNode(version, purpose) {
  const p = purpose || 'run';
  const v = parse(version);
  const within = (line) => !below(v, parse(line[0])) && (!line[1] || below(v, parse(line[1])));
  if (!Number.isNaN(v[0]) && lines(p).some(within)) return null;
  const who = p === 'test' ? "finetune-bot's tests need" : 'finetune-bot needs';
  return (
    `${who} Node.js ${describe(p)} (24 LTS recommended); this is Node.js ${String(version).replace(/^v/, '')}. ` +
    'Install Node 24 (`nvm install` reads .nvmrc; or https://nodejs.org/en/download) and try again.'
  );
}

function exitUnlessSupported(purpose) {
  const problem = checkNode(process.versions.node, purpose);
  if (problem === null) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

module.exports = { checkNode, exitUnlessSupported, range };

if (require.main === module) exitUnlessSupported(process.argv[2]);
