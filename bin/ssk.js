#!/usr/bin/env node
// The `ssk` command. Runs on Node 24 (type stripping): the project pins Node 24 through npm.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`ssk cần Node 24 trở lên / ssk needs Node 24 or newer (this is ${process.version}). Run it through npm: npx ssk ...`);
  process.exit(2);
}
await import('../src/cli/main.ts');
