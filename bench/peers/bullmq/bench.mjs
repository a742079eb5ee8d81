// BullMQ peer of `jobstream bench`: the same workloads on BullMQ against a local redis-server.
//
//   node bench.mjs [--jobs N] [--repeat K] [--concurrency 50,1000] [--redis redis://host:port]
//
// Without --redis it starts its own redis-server (no persistence) on a free port and stops it at the end.
// Workloads, each --repeat times:
//   addBulk          N jobs added with Queue.addBulk in chunks of 1,000 (jobs/s)
//   drain-noop-cC    N pre-added jobs drained by one Worker at concurrency C, handler does nothing (jobs/s)
//   drain-5ms-cC     the same with a handler that waits 5 ms (jobs/s)
// The rate is jobs / time from the Worker's start to its N-th "completed" event. Completed jobs are removed
// (removeOnComplete), so Redis memory stays flat. Prints one JSON object per workload, like the Java harness:
//   {"scenario":"bullmq-drain-noop-c50","bullmq":12345.0,"unit":"jobs/s","min":...,"max":...,"repeat":3,...}
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bullmqVersion = require('bullmq/package.json').version;

function parseArgs(argv) {
  const options = { jobs: 100_000, repeat: 3, concurrency: [50, 1000], redis: null };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${name} needs a value`);
    switch (name) {
      case '--jobs': options.jobs = positive(name, value); break;
      case '--repeat': options.repeat = positive(name, value); break;
      case '--concurrency': options.concurrency = value.split(',').map((c) => positive(name, c)); break;
      case '--redis': options.redis = value; break;
      default: throw new Error(`unknown option '${name}'`);
    }
    i++;
  }
  return options;
}

function positive(name, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1; got '${text}'`);
  return n;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  for (let i = 0; i < 100; i++) {
    if (output.includes('Ready to accept connections')) return { child, port };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}: ${output}`);
}

function log(line) {
  process.stderr.write(`[bullmq] ${line}\n`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

const payload = { data: 'x'.repeat(200) };

async function addAll(queue, jobs) {
  for (let done = 0; done < jobs; done += 1000) {
    const chunk = Math.min(1000, jobs - done);
    await queue.addBulk(Array.from({ length: chunk }, () => ({
      name: 'noop',
      data: payload,
      opts: { removeOnComplete: true, removeOnFail: true },
    })));
  }
}

async function addBulkRate(connection, jobs, run) {
  const queue = new Queue(`bench-add-${run}-${Date.now()}`, { connection });
  try {
    const start = process.hrtime.bigint();
    await addAll(queue, jobs);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await queue.obliterate({ force: true });
    return jobs / seconds;
  } finally {
    await queue.close();
  }
}

async function drain(connection, jobs, concurrency, handlerMs, run) {
  const name = `bench-drain-${handlerMs}-${concurrency}-${run}-${Date.now()}`;
  const queue = new Queue(name, { connection });
  await addAll(queue, jobs);
  let completed = 0;
  let failed = 0;
  let resolveDone;
  const done = new Promise((resolve) => { resolveDone = resolve; });
  const start = process.hrtime.bigint();
  let end = null;
  const worker = new Worker(name, handlerMs > 0 ? () => sleep(handlerMs) : async () => {}, {
    connection,
    concurrency,
    autorun: true,
  });
  worker.on('completed', () => {
    completed++;
    if (completed + failed === jobs) { end = process.hrtime.bigint(); resolveDone(); }
  });
  worker.on('failed', () => {
    failed++;
    if (completed + failed === jobs) { end = process.hrtime.bigint(); resolveDone(); }
  });
  const timeout = setTimeout(() => resolveDone(), 10 * 60 * 1000);
  await done;
  clearTimeout(timeout);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  if (completed !== jobs) throw new Error(`${name}: ${completed} of ${jobs} jobs completed (${failed} failed)`);
  return jobs / (Number(end - start) / 1e9);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let redis = null;
  let connection;
  if (options.redis) {
    const url = new URL(options.redis);
    connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
  } else {
    redis = await startRedis();
    connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  }
  log(`BullMQ ${bullmqVersion}, node ${process.version}, redis ${connection.host}:${connection.port},`
    + ` ${options.jobs} jobs, repeat ${options.repeat}`);
  try {
    // Unmeasured warm-up of both paths (JIT, Lua scripts loaded).
    await addBulkRate(connection, Math.min(options.jobs, 20_000), 'warm');
    await drain(connection, Math.min(options.jobs, 20_000), options.concurrency[0], 0, 'warm');

    const workloads = [{ scenario: 'bullmq-addBulk', run: (r) => addBulkRate(connection, options.jobs, r) }];
    for (const handlerMs of [0, 5]) {
      for (const concurrency of options.concurrency) {
        workloads.push({
          scenario: `bullmq-drain-${handlerMs === 0 ? 'noop' : `${handlerMs}ms`}-c${concurrency}`,
          run: (r) => drain(connection, options.jobs, concurrency, handlerMs, r),
        });
      }
    }
    const values = new Map(workloads.map((w) => [w.scenario, []]));
    for (let r = 0; r < options.repeat; r++) {
      // Alternate the order between repetitions, as the Java harness does.
      const ordered = r % 2 === 0 ? workloads : [...workloads].reverse();
      for (const workload of ordered) {
        const rate = await workload.run(r);
        values.get(workload.scenario).push(rate);
        log(`${workload.scenario}: ${Math.round(rate)} jobs/s`);
      }
    }
    for (const workload of workloads) {
      const v = values.get(workload.scenario);
      process.stdout.write(JSON.stringify({
        scenario: workload.scenario,
        bullmq: Number(median(v).toFixed(1)),
        unit: 'jobs/s',
        min: Number(Math.min(...v).toFixed(1)),
        max: Number(Math.max(...v).toFixed(1)),
        repeat: options.repeat,
        jobs: options.jobs,
        version: bullmqVersion,
      }) + '\n');
    }
  } finally {
    if (redis) redis.child.kill('SIGTERM');
  }
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`bullmq bench: ${error.message}\n`);
  process.exit(1);
});
