'use strict';
// Watches a proof address with everscale-standalone-client (through
// everscale-inpage-provider, its normal API) while sign-cli signs: it
// subscribes to the address's transactions before the proof exists, says
// so, waits for a line on standard input (sign-cli has signed and
// checked), collects the transactions the subscription delivers, and reads
// the account's full state and its fields decoded with the proof's ABI.
//
// Usage: node watch-proof.cjs CONFIG_JSON, where CONFIG_JSON is
// {modules, url, address, abi, want}: want is how many transactions to
// wait for. Prints {"subscribed":true} once subscribed, then one JSON line
// of what it saw; exits 1 with the error on stderr.
const path = require('path');
const readline = require('readline');
const { createRequire } = require('module');

const cfg = JSON.parse(process.argv[2]);
const req = createRequire(path.join(cfg.modules, 'sign-cli.js'));
const { ProviderRpcClient, Address } = req('everscale-inpage-provider');
const { EverscaleStandaloneClient } = req('everscale-standalone-client/nodejs');

// Every wait is bounded: a step that takes too long ends the script with
// its name, so that the test fails with what the client never got.
let timer;
function within(ms, what, promise) {
  clearTimeout(timer);
  timer = setTimeout(() => fail(new Error(`${what}: nothing after ${ms}ms`)), ms);
  return promise;
}

function fail(e) {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
}

async function main() {
  const client = await within(20000, 'connecting', EverscaleStandaloneClient.create({
    connection: { id: 1000, group: 'sign-cli-devnet', type: 'graphql', data: { endpoints: [cfg.url], local: true } },
  }));
  client.setPollingInterval(500);
  const provider = new ProviderRpcClient({ provider: client });
  await provider.ensureInitialized();
  const address = new Address(cfg.address);

  const seen = [];
  let enough;
  const collected = new Promise((resolve) => { enough = resolve; });
  const subscription = await within(20000, 'subscribing', provider.subscribe('transactionsFound', { address }));
  subscription.on('data', (batch) => {
    for (const t of batch.transactions) {
      seen.push({ id: t.id.hash, lt: t.id.lt, aborted: t.aborted, origStatus: t.origStatus, endStatus: t.endStatus });
    }
    if (seen.length >= cfg.want) enough();
  });
  process.stdout.write(JSON.stringify({ subscribed: true }) + '\n');

  const lines = readline.createInterface({ input: process.stdin });
  await within(180000, 'waiting for the signature', new Promise((resolve) => lines.once('line', resolve)));
  lines.close();
  await within(30000, `the subscription (saw ${seen.length} of ${cfg.want})`, collected);

  const { state } = await within(20000, 'getFullContractState', provider.getFullContractState({ address }));
  const proof = new provider.Contract(JSON.parse(cfg.abi), address);
  const { fields } = await within(20000, 'getFields', proof.getFields({ cachedState: state, allowPartial: false }));
  await subscription.unsubscribe();
  process.stdout.write(JSON.stringify({
    transactions: seen,
    state: { balance: state.balance, isDeployed: state.isDeployed, codeHash: state.codeHash, boc: state.boc, lastLt: state.lastTransactionId && state.lastTransactionId.lt },
    fields,
  }) + '\n');
}

main().then(() => process.exit(0), fail);
