// A JSON-lines bridge from any language to nekoton-wasm (Broxus's Everscale
// library: ABI, BOC, executor) and to the FunC compiler.
//
// Each input line is a request {"id": N, "method": "name", "params": [...]};
// each output line is {"id": N, "result": ...} or {"id": N, "error": "text"}.
// Requests are handled in arrival order; the answers of asynchronous methods
// (compileFunc) may overtake earlier ones, so callers match answers by id.
//
// Methods:
//   - every exported function of nekoton-wasm, by its own name, with
//     positional params. Two param spellings are rewritten before the call:
//     {"$clock": ms} becomes a ClockWithOffset that reads exactly ms during
//     the call, and {"$config": "ever"} becomes Everscale's main
//     blockchain config (the BOC that everConfig returns).
//   - everConfig(): Everscale's main config as base64 BOC, read from the
//     installed @broxus/locklift-network package.
//   - compileFunc(sources, targets): FunC sources {file: text} compiled by
//     @ton-community/func-js; {codeBoc (base64), fiftCode, warnings}.
//   - ed25519KeyPair(secretHex): {publicKey, secretKey} for a 32-byte seed.
//   - ed25519Sign(secretHex, dataBase64): plain Ed25519 signature, base64.
//   - externalMessage({dst, abi, method, stateInit, input, publicKey,
//     nowMs, expireAt, secretKey | signature}): nekoton's
//     createExternalMessage with the time header pinned to nowMs and the
//     expire header to expireAt; signed with secretKey, or with a given
//     base64 signature, or left unsigned when neither is given.
//     Result {hash, expireAt, boc, dataToSign (base64)}.
//   - transactionInfo(txBoc): the parts of an ordinary transaction that fees
//     and outcomes are judged by: {account, lt, now, outMsgs, origStatus,
//     endStatus, totalFees, storageFees, credit, computeSkipped (null or the
//     reason), success, gasFees, gasUsed, gasLimit, gasCredit, exitCode,
//     vmSteps, actionSuccess, actionResultCode, totalFwdFees,
//     totalActionFees, aborted, bounce, destroyed}. Amounts and other
//     integers that can exceed 2^53 are decimal strings.
//   - messageInfo(msgBoc): {kind (internal, externalIn, externalOut), hash,
//     src, dst, value, bounce, bounced, ..., stateInit, body, bodyHash};
//     stateInit and body are base64 BOCs, an inline body copied into a cell.
//   - execute(accountBoc, messageBoc, utime): one transaction on
//     Everscale's executor (executeLocal with the main config, signature
//     checks on) and what the emulator records of it, in one round trip:
//     {exitCode} when the executor refused an external message without a
//     transaction, else {account (BOC after), transaction (nekoton's
//     Transaction), info (transactionInfo of its BOC)}.
//   - parseTransaction(txBoc): the transaction as nekoton reads one that a
//     network serves (its Transport's getTransaction, which parses the BOC
//     with Everscale's ton_block): nekoton's Transaction, with
//     prevTransactionId when the transaction links to a previous one.
//   - accountTransactions(url, address, pageSize): an account's history as
//     nekoton's GqlTransport reads it from the GraphQL endpoint at url,
//     page by page (getTransactions with each page's continuation), newest
//     first: [{id, prevTransactionId}].
//   - blockTransactions(url, address, blockIds): what nekoton's block
//     walking reads from the GraphQL endpoint at url for the account at
//     address: the latest block of its shard (GqlConnection's
//     getLatestBlock: {id, endLt, genUtime}), then, for each block id, the
//     account's transactions that nekoton finds in the block's BOC
//     (GenericContract.handleBlock, which parses the block with
//     Everscale's ton_block): {latest, found: [[tx hash, ...], ...]}.
//   - methods(): the names this bridge answers to.
//
// npm packages are looked up from the directory given as the first
// argument (a node_modules directory, or a directory above one), and
// without it from the script's own place, as Node.js does; NODE_PATH
// applies in both cases. The script may therefore live anywhere, for
// example in a temporary directory written by a program that embeds it.
//
// The process ends when its standard input closes.

import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import { join, resolve } from 'node:path';

const require = createRequire(
  process.argv[2] ? join(resolve(process.argv[2]), 'sign-cli-bridge.cjs') : import.meta.url);

// Standard output carries only answers. Libraries that print (the FunC
// compiler prints its diagnostics) are sent to standard error instead.
const writeAnswer = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
console.log = console.error;
console.info = console.error;
console.debug = console.error;
const nt = require('nekoton-wasm/node');

const nekotonFunctions = new Map();
for (const [name, value] of Object.entries(nt)) {
  if (typeof value !== 'function' || name.startsWith('__')) continue;
  // wasm-bindgen classes are functions too; they need `new`, not a call.
  if (/^class\b/.test(Function.prototype.toString.call(value))) continue;
  nekotonFunctions.set(name, value);
}

let everConfigCache;
function everConfig() {
  if (everConfigCache === undefined) {
    const constants = require('@broxus/locklift-network/internal/constants.js');
    if (typeof constants.EVER_MAIN_CONFIG !== 'string' || constants.EVER_MAIN_CONFIG === '') {
      throw new Error('@broxus/locklift-network has no EVER_MAIN_CONFIG string');
    }
    everConfigCache = constants.EVER_MAIN_CONFIG;
  }
  return everConfigCache;
}

let funcCompiler;
async function compileFunc(sources, targets) {
  if (sources === null || typeof sources !== 'object') {
    throw new Error('compileFunc: sources must be an object {file: text}');
  }
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new Error('compileFunc: targets must be a non-empty list of file names');
  }
  if (funcCompiler === undefined) {
    funcCompiler = require('@ton-community/func-js');
  }
  const res = await funcCompiler.compileFunc({ sources, targets });
  if (res.status !== 'ok') {
    throw new Error(`FunC compilation failed: ${res.message}`);
  }
  return { codeBoc: res.codeBoc, fiftCode: res.fiftCode, warnings: res.warnings ?? '' };
}

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function seedBytes(secretHex) {
  if (typeof secretHex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(secretHex)) {
    throw new Error('secret key must be 64 hex digits');
  }
  return Buffer.from(secretHex, 'hex');
}

function ed25519PrivateKey(secretHex) {
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seedBytes(secretHex)]),
    format: 'der',
    type: 'pkcs8',
  });
}

function ed25519KeyPair(secretHex) {
  const jwk = createPublicKey(ed25519PrivateKey(secretHex)).export({ format: 'jwk' });
  return {
    publicKey: Buffer.from(jwk.x, 'base64url').toString('hex'),
    secretKey: secretHex.toLowerCase(),
  };
}

// Plain Ed25519 over exactly the bytes given. (nekoton's ed25519_sign reads
// a 64-character hex string as hex and anything else as base64, so a data
// string could be read two ways; this method takes base64 only.)
function ed25519Sign(secretHex, dataBase64) {
  if (typeof dataBase64 !== 'string') throw new Error('data must be a base64 string');
  const data = Buffer.from(dataBase64, 'base64');
  if (data.toString('base64') !== dataBase64) throw new Error('data is not canonical base64');
  return cryptoSign(null, data, ed25519PrivateKey(secretHex)).toString('base64');
}

// Runs fn with Date.now() returning ms; nekoton's ClockWithOffset reads the
// time through Date.now, so this pins header times exactly.
function withPinnedNow(ms, fn) {
  if (ms === undefined) return fn();
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new Error(`pinned time must be a non-negative integer of milliseconds, got ${ms}`);
  }
  const realNow = Date.now;
  Date.now = () => ms;
  try {
    return fn();
  } finally {
    Date.now = realNow;
  }
}

function externalMessage(p) {
  if (p === null || typeof p !== 'object') {
    throw new Error('externalMessage: params must be an object');
  }
  for (const k of ['dst', 'abi', 'method']) {
    if (typeof p[k] !== 'string') throw new Error(`externalMessage: ${k} must be a string`);
  }
  const nowMs = p.nowMs ?? Date.now();
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) {
    throw new Error('externalMessage: nowMs must be a non-negative integer');
  }
  const nowSec = Math.floor(nowMs / 1000);
  const expireAt = p.expireAt ?? nowSec + 60;
  if (!Number.isSafeInteger(expireAt) || expireAt <= nowSec || expireAt > 0xffffffff) {
    throw new Error(`externalMessage: expireAt ${expireAt} must be a uint32 after nowMs`);
  }
  const timeout = expireAt - nowSec;
  const clock = new nt.ClockWithOffset();
  try {
    return withPinnedNow(nowMs, () => {
      const input = p.input ?? {};
      const stateInit = p.stateInit ?? null;
      if (p.secretKey === undefined && p.signature === undefined && p.publicKey === undefined) {
        const m = nt.createExternalMessageWithoutSignature(
          clock, p.dst, p.abi, p.method, stateInit, input, timeout);
        return { hash: m.hash, expireAt: m.expireAt, boc: m.boc, dataToSign: null };
      }
      let publicKey = p.publicKey;
      if (publicKey === undefined && p.secretKey !== undefined) {
        publicKey = ed25519KeyPair(p.secretKey).publicKey;
      }
      const unsigned = nt.createExternalMessage(
        clock, p.dst, p.abi, p.method, stateInit, input, publicKey, timeout);
      try {
        // nekoton gives the hash to sign as hex.
        const dataToSign = Buffer.from(unsigned.hash, 'hex').toString('base64');
        let signature = p.signature;
        if (signature === undefined && p.secretKey !== undefined) {
          signature = ed25519Sign(p.secretKey, dataToSign);
        }
        if (signature === undefined) {
          throw new Error('externalMessage: a publicKey needs a secretKey or a signature');
        }
        const m = unsigned.sign(signature);
        return { hash: m.hash, expireAt: m.expireAt, boc: m.boc, dataToSign };
      } finally {
        unsigned.free();
      }
    });
  } finally {
    clock.free();
  }
}

// Transaction decoding needs only cells and slices; @ton/core (pinned by
// package-lock.json as a dependency of @broxus/locklift-network) has them.
// Its own loadTransaction follows TON's message rules and refuses some
// Everscale transactions, so the few fields needed are read here by the
// TL-B of ever-block's transaction.rs.
let tonCore;
const ACCOUNT_STATUS = ['uninit', 'frozen', 'active', 'nonexist'];

function loadStatusChange(s) {
  if (!s.loadBit()) return 'unchanged';
  return s.loadBit() ? 'deleted' : 'frozen';
}

function loadCurrencyCollection(s) {
  const grams = s.loadCoins();
  s.loadMaybeRef(); // extra currencies
  return grams;
}

function transactionInfo(boc) {
  if (tonCore === undefined) tonCore = require('@ton/core');
  try {
    return readTransaction(tonCore.Cell.fromBase64(boc).beginParse());
  } catch (e) {
    throw new Error(`decoding transaction BOC: ${errorText(e)}`);
  }
}

function readTransaction(s) {
  if (s.loadUint(4) !== 0b0111) throw new Error('not a transaction (tag is not 0111)');
  const out = {};
  out.account = s.loadBuffer(32).toString('hex');
  out.lt = s.loadUintBig(64).toString();
  s.skip(256 + 64); // previous transaction hash and lt
  out.now = s.loadUint(32);
  out.outMsgs = s.loadUint(15);
  out.origStatus = ACCOUNT_STATUS[s.loadUint(2)];
  out.endStatus = ACCOUNT_STATUS[s.loadUint(2)];
  s.loadRef(); // messages
  out.totalFees = loadCurrencyCollection(s).toString();
  s.loadRef(); // state update
  const d = s.loadRef().beginParse();
  const tag = d.loadUint(4);
  if (tag !== 0) {
    out.type = `non-ordinary (tag ${tag})`;
    return out;
  }
  out.type = 'ordinary';
  out.creditFirst = d.loadBit();
  out.storageFees = '0';
  if (d.loadBit()) {
    out.storageFees = d.loadCoins().toString();
    if (d.loadBit()) out.storageFeesDue = d.loadCoins().toString();
    out.storageStatusChange = loadStatusChange(d);
  }
  if (d.loadBit()) {
    if (d.loadBit()) out.dueFeesCollected = d.loadCoins().toString();
    out.credit = loadCurrencyCollection(d).toString();
  }
  if (!d.loadBit()) {
    let reason;
    if (!d.loadBit()) reason = d.loadBit() ? 'badState' : 'noState';
    else reason = d.loadBit() ? 'suspended' : 'noGas';
    if (reason === 'suspended' && d.loadBit()) throw new Error('unknown compute skip reason');
    out.computeSkipped = reason;
  } else {
    out.computeSkipped = null;
    out.success = d.loadBit();
    out.msgStateUsed = d.loadBit();
    out.accountActivated = d.loadBit();
    out.gasFees = d.loadCoins().toString();
    const v = d.loadRef().beginParse();
    out.gasUsed = v.loadVarUintBig(3).toString();
    out.gasLimit = v.loadVarUintBig(3).toString();
    out.gasCredit = v.loadBit() ? v.loadVarUintBig(2).toString() : null;
    out.mode = v.loadInt(8);
    out.exitCode = v.loadInt(32);
    out.exitArg = v.loadBit() ? v.loadInt(32) : null;
    out.vmSteps = v.loadUint(32);
  }
  const action = d.loadMaybeRef();
  if (action !== null) {
    const a = action.beginParse();
    out.actionSuccess = a.loadBit();
    out.actionValid = a.loadBit();
    out.actionNoFunds = a.loadBit();
    out.actionStatusChange = loadStatusChange(a);
    out.totalFwdFees = a.loadBit() ? a.loadCoins().toString() : '0';
    out.totalActionFees = a.loadBit() ? a.loadCoins().toString() : '0';
    out.actionResultCode = a.loadInt(32);
  }
  out.aborted = d.loadBit();
  out.bounce = d.loadBit();
  // A bounce phase, when present, is not read; destroyed follows it.
  if (!out.bounce) out.destroyed = d.loadBit();
  return out;
}

function addressText(a) {
  if (a === null || a === undefined) return null;
  if (a instanceof tonCore.Address) return `${a.workChain}:${a.hash.toString('hex')}`;
  return a.toString();
}

// The parts of a message that tests look at; body and stateInit are base64
// BOCs of their cells (an inline body is copied into a cell of its own).
function messageInfo(boc) {
  if (tonCore === undefined) tonCore = require('@ton/core');
  const { Cell, beginCell } = tonCore;
  let root;
  try {
    root = Cell.fromBase64(boc);
  } catch (e) {
    throw new Error(`decoding message BOC: ${errorText(e)}`);
  }
  try {
    const s = root.beginParse();
    const out = { hash: root.hash().toString('hex') };
    if (!s.loadBit()) {
      out.kind = 'internal';
      out.ihrDisabled = s.loadBit();
      out.bounce = s.loadBit();
      out.bounced = s.loadBit();
      out.src = addressText(s.loadAddressAny());
      out.dst = addressText(s.loadAddressAny());
      out.value = loadCurrencyCollection(s).toString();
      out.ihrFee = s.loadCoins().toString();
      out.fwdFee = s.loadCoins().toString();
      out.createdLt = s.loadUintBig(64).toString();
      out.createdAt = s.loadUint(32);
    } else if (!s.loadBit()) {
      out.kind = 'externalIn';
      out.src = addressText(s.loadAddressAny());
      out.dst = addressText(s.loadAddressAny());
      out.importFee = s.loadCoins().toString();
    } else {
      out.kind = 'externalOut';
      out.src = addressText(s.loadAddressAny());
      out.dst = addressText(s.loadAddressAny());
      out.createdLt = s.loadUintBig(64).toString();
      out.createdAt = s.loadUint(32);
    }
    out.stateInit = null;
    if (s.loadBit()) {
      let init;
      if (s.loadBit()) {
        init = s.loadRef();
      } else {
        const b = beginCell();
        for (const width of [5, 2]) {
          const present = s.loadBit();
          b.storeBit(present);
          if (present) b.storeUint(s.loadUint(width), width);
        }
        for (let i = 0; i < 3; i++) b.storeMaybeRef(s.loadMaybeRef()); // code, data, library
        init = b.endCell();
      }
      out.stateInit = init.toBoc().toString('base64');
    }
    const body = s.loadBit() ? s.loadRef() : beginCell().storeSlice(s).endCell();
    out.body = body.toBoc().toString('base64');
    out.bodyHash = body.hash().toString('hex');
    return out;
  } catch (e) {
    throw new Error(`decoding message: ${errorText(e)}`);
  }
}

// execute runs one transaction and decodes it, so that a caller that runs
// many (an emulator) needs one round trip for each.
function execute(account, message, utime) {
  const out = nt.executeLocal(everConfig(), account, message, utime, false);
  if (out.transaction === undefined || out.transaction === null) {
    if (typeof out.exitCode !== 'number') {
      throw new Error(`executeLocal returned neither a transaction nor an exit code: ${encode(out)}`);
    }
    return { exitCode: out.exitCode };
  }
  return { account: out.account, transaction: out.transaction, info: transactionInfo(out.transaction.boc) };
}

// parseTransaction hands the BOC to nekoton's Transport through a proxy
// connection that serves it, so that the parsing is nekoton's own.
async function parseTransaction(boc) {
  const proxy = new nt.ProxyConnection({
    info: () => ({ maxTransactionsPerFetch: 1, reliableBehavior: 'IntensivePolling', hasKeyBlocks: false }),
    getTransaction: async () => boc,
  });
  const clock = new nt.ClockWithOffset();
  const transport = nt.Transport.fromProxyConnection(proxy, clock);
  try {
    const tx = await transport.getTransaction(nt.getBocHash(boc));
    if (tx === undefined || tx === null) throw new Error('nekoton read no transaction');
    return tx;
  } catch (e) {
    throw new Error(`parsing transaction: ${errorText(e)}`);
  } finally {
    transport.free();
    clock.free();
  }
}

// accountTransactions follows an account's history the way wallets built
// on nekoton do, over HTTP with fetch.
async function accountTransactions(url, address, pageSize) {
  const clock = new nt.ClockWithOffset();
  const transport = nt.Transport.fromGqlConnection(new nt.GqlConnection(gqlSender(url)), clock);
  const out = [];
  try {
    let continuation;
    for (let pages = 0; pages < 10000; pages++) {
      const list = await transport.getTransactions(address, continuation, pageSize);
      for (const t of list.transactions) out.push({ id: t.id, prevTransactionId: t.prevTransactionId ?? null });
      if (list.continuation === undefined || list.continuation === null) break;
      continuation = list.continuation.lt;
    }
  } catch (e) {
    throw new Error(`reading the transactions of ${address}: ${errorText(e)}`);
  } finally {
    transport.free();
    clock.free();
  }
  return out;
}

// gqlSender is nekoton's GraphQL sender over HTTP with fetch.
function gqlSender(url) {
  return {
    isLocal: () => true,
    send: (data, handler) => {
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: data })
        .then((r) => r.text())
        .then((text) => handler.onReceive(text))
        .catch((e) => handler.onError(e));
    },
  };
}

// blockTransactions reads blocks the way nekoton's subscriptions walk
// them (see the header).
async function blockTransactions(url, address, blockIds) {
  const clock = new nt.ClockWithOffset();
  const gql = new nt.GqlConnection(gqlSender(url));
  const transport = nt.Transport.fromGqlConnection(gql, clock);
  let batch = [];
  const handler = {
    onMessageSent: () => {},
    onMessageExpired: () => {},
    onStateChanged: () => {},
    onTransactionsFound: (txs) => {
      for (const t of txs) batch.push(t.id.hash);
    },
  };
  let contract;
  try {
    const latest = await gql.getLatestBlock(address);
    contract = await transport.subscribeToGenericContract(address, handler);
    const found = [];
    for (const id of blockIds) {
      batch = [];
      await contract.handleBlock(id);
      found.push(batch);
    }
    return { latest, found };
  } catch (e) {
    throw new Error(`walking the blocks of ${address}: ${errorText(e)}`);
  } finally {
    if (contract) contract.free();
    transport.free();
    clock.free();
  }
}

const extras = {
  blockTransactions,
  everConfig,
  execute,
  parseTransaction,
  accountTransactions,
  compileFunc,
  ed25519KeyPair,
  ed25519Sign,
  externalMessage,
  transactionInfo,
  messageInfo,
  methods: () => [...Object.keys(extras), ...nekotonFunctions.keys()].sort(),
};

// Rewrites the {"$clock": ms} and {"$config": "ever"} param spellings.
function prepareParams(params, cleanup) {
  let pinned;
  const out = params.map((p) => {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) return p;
    const keys = Object.keys(p);
    if (keys.length !== 1) return p;
    if (keys[0] === '$clock') {
      if (pinned !== undefined && pinned !== p.$clock) {
        throw new Error('all $clock params of one call must have the same time');
      }
      pinned = p.$clock;
      const clock = new nt.ClockWithOffset();
      cleanup.push(() => clock.free());
      return clock;
    }
    if (keys[0] === '$config') {
      if (p.$config !== 'ever') throw new Error(`unknown $config ${JSON.stringify(p.$config)}`);
      return everConfig();
    }
    return p;
  });
  return { params: out, pinned };
}

// Turns wasm-bindgen class instances in results into plain data.
function plain(result) {
  if (result instanceof nt.UnsignedMessage) {
    return { hash: result.hash, expireAt: result.expireAt() };
  }
  return result;
}

async function dispatch(method, params) {
  if (!Array.isArray(params)) throw new Error('params must be a list');
  if (Object.hasOwn(extras, method)) return extras[method](...params);
  const fn = nekotonFunctions.get(method);
  if (fn === undefined) throw new Error(`unknown method ${JSON.stringify(method)}`);
  const cleanup = [];
  try {
    const prepared = prepareParams(params, cleanup);
    const result = withPinnedNow(prepared.pinned, () => fn(...prepared.params));
    return plain(await result);
  } finally {
    for (const f of cleanup) f();
  }
}

function errorText(e) {
  if (e instanceof Error) return e.message || String(e);
  if (typeof e === 'string') return e;
  try {
    const s = JSON.stringify(e);
    if (s !== undefined && s !== '{}') return s;
  } catch {
    // fall through to String()
  }
  return String(e);
}

function encode(value) {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Map) return [...v.entries()];
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    return v;
  });
}

function reply(obj) {
  writeAnswer(encode(obj) + '\n');
}

async function handle(line) {
  if (line.trim() === '') return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    reply({ id: null, error: `request is not JSON: ${errorText(e)}` });
    return;
  }
  const id = req?.id ?? null;
  try {
    if (typeof req?.method !== 'string') throw new Error('request has no method');
    const result = await dispatch(req.method, req.params ?? []);
    writeAnswer(encode({ id, result: result === undefined ? null : result }) + '\n');
  } catch (e) {
    reply({ id, error: errorText(e) });
  }
}

// A reader that went away is the end of the conversation.
process.stdout.on('error', () => process.exit(0));

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  handle(line);
});
