'use strict';
// Watches a proof address with everscale-standalone-client (through
// everscale-inpage-provider, its normal API) while sign-cli signs: it
// subscribes to the address's transactions before the proof exists, says
// so, waits for a line on standard input (sign-cli has signed and
// checked), collects the transactions the subscription delivers, and reads
// the account's full state and its fields decoded with the proof's ABI.
//
// With a deploy object in the config, it then deploys a proof of its own
// (see deploy).
//
// Usage: node watch-proof.cjs CONFIG_JSON, where CONFIG_JSON is
// {modules, url, address, abi, want, keys, deploy}: want is how many
// transactions to wait for, keys the keystore's keys by name ({public,
// secret}), deploy {tvc, signer, content, giver, giverAbi, giverPublic,
// value}. Prints {"subscribed":true} once subscribed, then one JSON line
// of what it saw; exits 1 with the error on stderr.
const path = require('path');
const readline = require('readline');
const { createRequire } = require('module');

const cfg = JSON.parse(process.argv[2]);
const req = createRequire(path.join(cfg.modules, 'sign-cli.js'));
const { ProviderRpcClient, Address } = req('everscale-inpage-provider');
const { EverscaleStandaloneClient, SimpleKeystore } = req('everscale-standalone-client/nodejs');

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
  const keys = {};
  for (const [name, k] of Object.entries(cfg.keys || {})) keys[name] = { publicKey: k.public, secretKey: k.secret };
  const client = await within(20000, 'connecting', EverscaleStandaloneClient.create({
    connection: { id: 1000, group: 'sign-cli-devnet', type: 'graphql', data: { endpoints: [cfg.url], local: true } },
    keystore: new SimpleKeystore(keys),
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
  const out = {
    transactions: seen,
    state: { balance: state.balance, isDeployed: state.isDeployed, codeHash: state.codeHash, boc: state.boc, lastLt: state.lastTransactionId && state.lastTransactionId.lt },
    fields,
  };
  if (cfg.deploy) out.deployed = await deploy(provider, cfg.deploy);
  process.stdout.write(JSON.stringify(out) + '\n');
}

// deploy does what a locklift user does first, through the client alone:
// compute a contract's StateInit and address from its code and init
// params, fund it from the giver (sendExternal with the giver's ABI),
// deploy it with its StateInit by a signed external message, read its
// fields, run it locally (runLocal) on the state the client read, and
// find it by code hash and its deployment by hash.
async function deploy(provider, d) {
  const abi = JSON.parse(cfg.abi);
  // getStateInit (what locklift's deployContract calls) is not used: the
  // client's nekoton 1.8.4 builds ABI 2.4 init data as the old dictionary
  // of init params, ignoring the ABI's fields, which gives another address
  // than the network's. The fields are packed by the ABI with the client's
  // own packIntoCell and merged with the code, as the ABI 2.4 rules say.
  const { code } = await within(20000, 'splitTvc', provider.splitTvc(d.tvc));
  const { boc: data } = await within(20000, 'packIntoCell', provider.packIntoCell({
    abiVersion: '2.4', structure: abi.fields,
    data: { _pubkey: `0x${d.signer}`, _timestamp: '0', _constructorFlag: false, content: d.content, deployedAt: 0 },
  }));
  const { tvc: stateInit, hash } = await within(20000, 'mergeTvc', provider.mergeTvc({ code, data }));
  const address = new Address(`0:${hash}`);
  const giver = new provider.Contract(JSON.parse(d.giverAbi), new Address(d.giver));
  const funded = await within(60000, 'funding', giver.methods.sendTransaction({ dest: address, value: d.value, bounce: false })
    .sendExternal({ publicKey: d.giverPublic }));
  const proof = new provider.Contract(abi, address);
  const { transaction } = await within(60000, 'deploying', proof.methods.constructor({})
    .sendExternal({ publicKey: d.signer, stateInit }));
  const { fields } = await within(20000, 'getFields', proof.getFields({ allowPartial: false }));
  const { state } = await within(20000, 'getFullContractState', provider.getFullContractState({ address }));
  const local = {};
  // An unsigned call, as getters are run, and a signed deployment
  // again, both run by the client's executor on the state it read.
  for (const [name, run] of Object.entries({
    call: () => proof.methods.constructor({}).call({ cachedState: state }),
    again: () => proof.methods.constructor({}).sendExternal({ publicKey: d.signer, local: true }),
  })) {
    try {
      await within(20000, `running ${name} locally`, run());
      local[name] = 0;
    } catch (e) {
      // call() throws a TvmException with the code; a local
      // sendExternal says it in its message.
      const m = /exit code:? (-?\d+)/.exec(String(e.message));
      local[name] = e.code !== undefined ? e.code : m ? Number(m[1]) : String(e.message || e);
    }
  }
  // Finding one's contracts by code hash and a transaction by its hash,
  // as locklift's tracing and factories do.
  const { accounts } = await within(20000, 'getAccountsByCodeHash', provider.getAccountsByCodeHash({ codeHash: state.codeHash, limit: 50 }));
  const fetched = await within(20000, 'getTransaction', provider.getTransaction({ hash: transaction.id.hash }));
  const t = fetched.transaction;
  return {
    byCodeHash: accounts.map((a) => a.toString()),
    fetched: t && { id: t.id.hash, lt: t.id.lt, origStatus: t.origStatus, endStatus: t.endStatus, inMessage: t.inMessage.hash },
    address: address.toString(), funding: { id: funded.transaction.id.hash, aborted: funded.transaction.aborted },
    transaction: { id: transaction.id.hash, aborted: transaction.aborted, exitCode: transaction.exitCode },
    fields, local,
  };
}

main().then(() => process.exit(0), fail);
