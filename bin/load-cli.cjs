'use strict';
// Only reached once check-node.cjs has passed; imported rather than run, so src/cli/main.ts is not
// the entry point and is told to run as the process here.
import('../src/cli/main.ts').then((cli) => cli.runAsProcess());
