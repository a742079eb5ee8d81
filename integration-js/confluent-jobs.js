#!/usr/bin/env node
// Confluent's own JavaScript Avro serde (@confluentinc/schemaregistry) with kafkajs: a third-party producer and
// consumer of Jobstream jobs, for the integration tests (cli/src/test/.../ConfluentJavaScriptClientIT).
//
//   node confluent-jobs.js produce <bootstrap> <registry-url> <topic> <count> <job.avsc>
//       registers the Job schema under <topic>-value (TopicNameStrategy), publishes <count> `log` jobs, each keyed
//       by its id, and prints their ids, one a line
//   node confluent-jobs.js consume <bootstrap> <registry-url> <topic> <count>
//       reads <count> records from the beginning of <topic>, decodes each with the registry, prints each job as one
//       JSON line {"id","type","payload","contentType","createdAt"}
//
// Env: SR_USER_INFO=user:password for HTTP basic auth (as Confluent Cloud uses). Exit code 0 only on success.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType } = require('@confluentinc/schemaregistry');

function registry(url) {
  const conf = { baseURLs: [url] };
  if (process.env.SR_USER_INFO) {
    conf.basicAuthCredentials = { credentialsSource: 'USER_INFO', userInfo: process.env.SR_USER_INFO };
  }
  return new SchemaRegistryClient(conf);
}

function kafka(bootstrap) {
  return new Kafka({ clientId: 'confluent-js', brokers: bootstrap.split(','), logLevel: logLevel.WARN });
}

async function produce(bootstrap, url, topic, count, avscPath) {
  const client = registry(url);
  const id = await client.register(`${topic}-value`, { schemaType: 'AVRO', schema: fs.readFileSync(avscPath, 'utf8') });
  const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const producer = kafka(bootstrap).producer();
  await producer.connect();
  try {
    const messages = [];
    for (let i = 0; i < count; i++) {
      const job = {
        id: `js-${crypto.randomUUID()}`,
        type: 'log',
        payload: Buffer.from(JSON.stringify({ from: 'confluent-js', n: i })),
        contentType: 'application/json',
        orderingKey: null,
        attempt: 1,
        maxAttempts: null,
        createdAt: Date.now(),
        notBefore: null,
        expiresAt: null,
        headers: {},
        traceParent: null,
      };
      messages.push({ key: job.id, value: await serializer.serialize(topic, job) });
    }
    await producer.send({ topic, acks: -1, messages });
    messages.forEach((m) => console.log(m.key));
    console.error(`produced ${count} jobs to ${topic}, schema id ${id}`);
  } finally {
    await producer.disconnect();
  }
}

async function consume(bootstrap, url, topic, count) {
  const deserializer = new AvroDeserializer(registry(url), SerdeType.VALUE, {});
  const consumer = kafka(bootstrap).consumer({ groupId: `confluent-js-${crypto.randomUUID()}` });
  await consumer.connect();
  let seen = 0;
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            try {
              const job = await deserializer.deserialize(topic, message.value);
              console.log(JSON.stringify({
                id: job.id,
                type: job.type,
                payload: Buffer.from(job.payload).toString('utf8'),
                contentType: job.contentType,
                createdAt: Number(job.createdAt),
              }));
              if (++seen >= count) {
                resolve();
              }
            } catch (e) {
              reject(e);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

async function main() {
  const [mode, bootstrap, url, topic, count, avsc] = process.argv.slice(2);
  if (mode === 'produce' && avsc) {
    await produce(bootstrap, url, topic, Number(count), avsc);
  } else if (mode === 'consume' && count) {
    await consume(bootstrap, url, topic, Number(count));
  } else {
    throw new Error('usage: confluent-jobs.js produce <bootstrap> <registry-url> <topic> <count> <job.avsc> | consume <bootstrap> <registry-url> <topic> <count>');
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`confluent-jobs.js: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
