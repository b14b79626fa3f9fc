// clients.js HOST:PORT — two Node memcached clients against one server:
// `memcached` (the text protocol) and `memjs` (the binary protocol). Each
// sets, gets, deletes and increments, and is reported on a line of its
// own: "<client> (<protocol>): pass" or "... FAIL: <what>". Before memjs,
// a binary `version` request asks whether the server speaks the binary
// protocol at all; the line "binary protocol: spoken" or "binary protocol:
// not spoken (<how the server answered>)" tells tests/e2e_node_clients.sh
// whether a memjs failure is expected. Modules come from NODE_PATH.
'use strict';

const net = require('net');

const target = process.argv[2] || '127.0.0.1:11211';
const [host, portStr] = target.split(':');
const port = Number(portStr);

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

function expect(what, got, want) {
  if (got !== want)
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// A value larger than one TCP segment, and a small one.
const big = 'x'.repeat(10000) + 'end';
const small = 'hello capio';

async function asciiClient() {
  const Memcached = require('memcached');
  const mc = new Memcached(target, { retries: 0, timeout: 2000, reconnect: 1000, failures: 1, idle: 1000 });
  const call = (fn, ...args) => withTimeout(new Promise((resolve, reject) => {
    mc[fn](...args, (err, data) => (err ? reject(new Error(`${fn}: ${err.message || err}`)) : resolve(data)));
  }), 3000, fn);
  try {
    expect('set small', await call('set', 'node:small', small, 0), true);
    expect('set big', await call('set', 'node:big', big, 0), true);
    expect('get small', await call('get', 'node:small'), small);
    expect('get big', await call('get', 'node:big'), big);
    const multi = await call('getMulti', ['node:small', 'node:big', 'node:none']);
    expect('getMulti small', multi['node:small'], small);
    expect('getMulti big', multi['node:big'], big);
    expect('getMulti none', multi['node:none'], undefined);
    expect('del', await call('del', 'node:small'), true);
    expect('get after del', await call('get', 'node:small'), undefined);
    expect('set counter', await call('set', 'node:n', '41', 0), true);
    expect('incr', await call('incr', 'node:n', 1), 42);
    expect('decr', await call('decr', 'node:n', 2), 40);
    expect('incr missing', await call('incr', 'node:missing', 1), false);
  } finally {
    mc.end();
  }
}

async function binaryClient() {
  const memjs = require('memjs');
  const mc = memjs.Client.create(target, { retries: 1, timeout: 2, conntimeout: 2, logger: { log() {} } });
  const op = (p, what) => withTimeout(p, 5000, what);
  try {
    expect('set small', await op(mc.set('node:bsmall', small, { expires: 0 }), 'set'), true);
    expect('set big', await op(mc.set('node:bbig', big, { expires: 0 }), 'set'), true);
    expect('get small', String((await op(mc.get('node:bsmall'), 'get')).value), small);
    expect('get big', String((await op(mc.get('node:bbig'), 'get')).value), big);
    expect('delete', await op(mc.delete('node:bsmall'), 'delete'), true);
    expect('get after delete', (await op(mc.get('node:bsmall'), 'get')).value, null);
    const r = await op(mc.increment('node:bn', 5, { initial: 10 }), 'increment');
    expect('increment (initial)', r.success && Number(r.value), 10);
    const r2 = await op(mc.increment('node:bn', 5, {}), 'increment');
    expect('increment', r2.success && Number(r2.value), 15);
  } finally {
    mc.close();
  }
}

// The binary `version` request (magic 0x80, opcode 0x0b): a server that
// speaks the binary protocol answers with magic 0x81.
function probeBinary() {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    const req = Buffer.alloc(24);
    req[0] = 0x80; req[1] = 0x0b;
    let got = Buffer.alloc(0);
    const done = (how) => { s.destroy(); resolve(how); };
    s.setTimeout(3000, () => done('no answer in 3 s'));
    s.on('connect', () => s.write(req));
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got[0] === 0x81) done('spoken');
      else if (got.length >= 24 || got.includes(0x0a))
        done(`answered ${JSON.stringify(got.toString('latin1').slice(0, 40))}`);
    });
    s.on('end', () => done(got.length ? `answered ${JSON.stringify(got.toString('latin1').slice(0, 40))} and closed` : 'closed the connection'));
    s.on('error', (e) => done(`error ${e.code || e.message}`));
  });
}

async function main() {
  let failed = 0;
  try {
    await asciiClient();
    console.log('memcached (ASCII): pass');
  } catch (e) {
    console.log(`memcached (ASCII): FAIL: ${e.message}`);
    failed |= 1;
  }
  const probe = await probeBinary();
  console.log(probe === 'spoken' ? 'binary protocol: spoken' : `binary protocol: not spoken (${probe})`);
  try {
    await binaryClient();
    console.log('memjs (binary): pass');
  } catch (e) {
    console.log(`memjs (binary): FAIL: ${e.message}`);
    failed |= 2;
  }
  process.exit(failed);
}

main();
