#!/usr/bin/env node
// The support CLI's npm bin: runs the TypeScript sources through tsx (a runtime dependency).
require('tsx/cjs');
require('../src/cli/main.ts');
