'use strict';
// Drives everscale-standalone-client (with everscale-inpage-provider, its
// normal API) against a devnet: connect, read the giver's full state,
// send a transfer with the giver's ABI (sendExternal), see its
// transaction, receive a subscription's next transaction, and page
// through the giver's history.
//
// Usage: node standalone-client.cjs CONFIG_JSON, where CONFIG_JSON is
// {modules, url, giver, publicKey, secretKey, abi, dest, dest2, value}. Prints
// one JSON line of what it saw; exits 1 with the error on stderr.
const path = require('path');
const { createRequire } = require('module');

const cfg = JSON.parse(process.argv[2]);
const req = createRequire(path.join(cfg.modules, 'sign-cli.js'));
const { ProviderRpcClient, Address } = req('everscale-inpage-provider');
const { EverscaleStandaloneClient, SimpleKeystore } = req('everscale-standalone-client/nodejs');

function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// connect makes a provider on the devnet with the standalone client,
// whose subscriptions re-read their accounts every half second (the
// client's default is every 10 s between messages).
async function connect() {
  const keystore = new SimpleKeystore({ giver: { publicKey: cfg.publicKey, secretKey: cfg.secretKey } });
  const client = await within(20000, 'connecting', EverscaleStandaloneClient.create({
    connection: { id: 1000, group: 'sign-cli-devnet', type: 'graphql', data: { endpoints: [cfg.url], local: true } },
    keystore,
  }));
  client.setPollingInterval(500);
  const provider = new ProviderRpcClient({ provider: client });
  await provider.ensureInitialized();
  return provider;
}

// transfer sends value to dest from the giver with its ABI, the normal
// way: the client walks the devnet's blocks until the transaction.
async function transfer(provider, dest) {
  const contract = new provider.Contract(JSON.parse(cfg.abi), new Address(cfg.giver));
  const { transaction } = await within(60000, 'sendExternal',
    contract.methods.sendTransaction({ dest: new Address(dest), value: cfg.value, bounce: false })
      .sendExternal({ publicKey: cfg.publicKey }));
  return { id: transaction.id.hash, aborted: transaction.aborted, exitCode: transaction.exitCode };
}

async function main() {
  const provider = await connect();
  const giver = new Address(cfg.giver);
  const out = {};

  const { state } = await within(20000, 'getFullContractState', provider.getFullContractState({ address: giver }));
  out.state = { balance: state.balance, isDeployed: state.isDeployed, codeHash: state.codeHash, lastLt: state.lastTransactionId.lt };

  out.sent = await transfer(provider, cfg.dest);

  // The subscription starts after the first transfer: this client drops
  // an address's subscriptions when a message it sent there is done
  // (SubscriptionController.unsubscribeFromContract ignores the client's
  // own topics). The next transaction comes from a second client.
  const subscription = await within(20000, 'subscribing', provider.subscribe('transactionsFound', { address: giver }));
  const next = new Promise((resolve) => {
    subscription.on('data', (batch) => resolve(batch.transactions.map((t) => t.id.hash)));
  });
  const other = await connect();
  out.sentOther = await transfer(other, cfg.dest2);
  out.subscribed = await within(30000, 'the subscription', next);

  out.pages = [];
  let continuation;
  do {
    const page = await within(20000, 'getTransactions', provider.getTransactions({ address: giver, continuation, limit: 2 }));
    out.pages.push(page.transactions.map((t) => t.id.hash));
    continuation = page.continuation;
  } while (continuation && out.pages.length < 100);

  await subscription.unsubscribe();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
