'use strict';
// Drives ton-client-js 0.28.1's GraphQL queries module (TONQueriesModule,
// over apollo-client: HTTP for queries, the graphql-ws websocket for
// subscriptions) against a devnet: query_collection on blocks, accounts,
// messages and transactions, wait_for_collection for a transaction that
// is not there yet, and a subscription on accounts. The module's core
// library (crypto, ABI) is not used and not installed: its bridge takes
// the configuration the client hands it at start ("setup") and answers
// every other call with an error, so that nothing here can lean on it.
//
// Usage: node ton-client.cjs CONFIG_JSON, where CONFIG_JSON is {modules,
// server, giver, message: {id, body}} (the server's base URL, and a
// message to the giver, base64, posted once the wait and the subscription
// are running). Prints one JSON line of what it saw; exits 1 with the
// error on stderr.
const path = require('path');
const { createRequire } = require('module');

const cfg = JSON.parse(process.argv[2]);
const req = createRequire(path.join(cfg.modules, 'sign-cli.js'));
const { TONClient } = req('ton-client-js');
const WebSocket = req('ws');

TONClient.setLibrary({
  fetch: globalThis.fetch,
  WebSocket,
  createLibrary: async () => ({
    request: (method, _params, onResult) => (method === 'setup'
      ? onResult('{}', '')
      : onResult('', JSON.stringify({ source: 'client', code: 1, message: `${method}: no core library in this test` }))),
  }),
});

function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const client = await within(20000, 'connecting', TONClient.create({ servers: [cfg.server] }));
  const q = client.queries;
  const out = {};

  out.masterchain = await within(20000, 'blocks', q.blocks.query({
    filter: { workchain_id: { eq: -1 } }, result: 'id seq_no key_block signatures { validator_list_hash_short sig_weight }',
    orderBy: [{ path: 'seq_no', direction: 'DESC' }], limit: 1,
  }));
  out.keyBlocks = await within(20000, 'key blocks', q.blocks.query({ filter: { workchain_id: { eq: -1 }, key_block: { eq: true } }, result: 'id seq_no' }));
  out.accounts = await within(20000, 'accounts', q.accounts.query({ filter: { id: { eq: cfg.giver } }, result: 'id acc_type balance' }));
  out.transactions = await within(20000, 'transactions', q.transactions.query({
    filter: { account_addr: { eq: cfg.giver } }, result: 'id lt block_id master_seq_no in_msg',
    orderBy: [{ path: 'lt', direction: 'ASC' }],
  }));
  const inMsgs = out.transactions.map((t) => t.in_msg);
  out.messages = await within(20000, 'messages', q.messages.query({ filter: { id: { in: inMsgs } }, result: 'id msg_type block_id' }));

  // The wait and the subscription run before the message is posted.
  const changed = new Promise((resolve, reject) => {
    q.accounts.subscribe({ id: { eq: cfg.giver } }, 'id balance', (_e, doc) => resolve(doc), reject);
  });
  const waited = q.transactions.waitFor({ filter: { in_msg: { eq: cfg.message.hash } }, result: 'id block_id', timeout: 30000 });
  await new Promise((r) => setTimeout(r, 300));
  await within(20000, 'postRequests', q.postRequests([{ id: cfg.message.id, body: cfg.message.body }]));
  out.waited = await within(30000, 'waitFor', waited);
  out.subscribed = await within(30000, 'the subscription', changed);

  await client.close();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${e && e.stack ? e.stack : JSON.stringify(e)}\n`);
  process.exit(1);
});
