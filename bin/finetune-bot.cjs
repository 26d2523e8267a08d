#!/usr/bin/env node
'use strict';
// The `finetune-bot` command. CommonJS in old syntax, so any Node reads it far enough to say which
// Node the CLI needs instead of failing on a .ts file.
require('./check-node.cjs').exitUnlessSupported('run');
// import() sits in its own file: to the oldest Nodes it is a syntax error, raised before the check could speak.
require('./load-cli.cjs');
