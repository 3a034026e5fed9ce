// Compiles the FunC contracts in contract/ with the FunC compiler pinned by
// package-lock.json (@ton-community/func-js) and writes their code BOCs,
// base64, next to the sources: contract/<name>.code.boc.
//
//   node tools/contract/compile.mjs           write the BOCs
//   node tools/contract/compile.mjs --check   fail if a committed BOC differs

import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { compileFunc } = require('@ton-community/func-js');

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'contract');
export const CONTRACTS = ['proof', 'giver'];

// Every .fc file in contract/, so that #include resolves.
function sources() {
  const out = {};
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.fc')) out[f] = readFileSync(join(dir, f), 'utf8');
  }
  return out;
}

async function main() {
  const check = process.argv.includes('--check');
  const src = sources();
  let stale = 0;
  for (const name of CONTRACTS) {
    const res = await compileFunc({ sources: src, targets: [`${name}.fc`] });
    if (res.status !== 'ok') {
      console.error(`${name}.fc: ${res.message}`);
      process.exit(1);
    }
    if (res.warnings) console.error(`${name}.fc warnings:\n${res.warnings}`);
    const file = join(dir, `${name}.code.boc`);
    const text = res.codeBoc + '\n';
    if (check) {
      let old = '';
      try {
        old = readFileSync(file, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (old !== text) {
        console.error(`contract/${name}.code.boc is not what contract/${name}.fc compiles to; run make contract`);
        stale++;
      }
      continue;
    }
    writeFileSync(file, text);
    console.log(`contract/${name}.code.boc: ${Buffer.from(res.codeBoc, 'base64').length} bytes`);
  }
  if (stale > 0) process.exit(1);
}

await main();
