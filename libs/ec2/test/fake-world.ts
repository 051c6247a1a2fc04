import { afterEach, beforeEach, expect } from 'vitest';
import { EC2Client } from '@aws-sdk/client-ec2';
import { guardLoopbackOnly, startFakeEc2, type FakeEc2, type LoopbackGuard } from '@flannel-ts/testing';
import { createEc2Client } from '../src/index.js';

export interface Ec2TestWorld {
  fake: FakeEc2;
  client: EC2Client;
  lines: string[];
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

/**
 * A fresh fake EC2 per test, the real SDK pointed at it through the SDK's own variables, and the
 * process allowed to reach loopback only (asserted at the end).
 */
export function useFakeEc2(): Ec2TestWorld {
  const world = {} as Ec2TestWorld;
  let guard: LoopbackGuard;
  let saved: NodeJS.ProcessEnv;
  beforeEach(async () => {
    guard = guardLoopbackOnly();
    saved = { ...process.env };
    world.fake = await startFakeEc2();
    Object.assign(process.env, world.fake.env());
    world.client = createEc2Client('eu-west-1');
    world.lines = [];
    world.log = {
      info: (m) => world.lines.push(`info ${m}`),
      warn: (m) => world.lines.push(`warn ${m}`),
      error: (m) => world.lines.push(`error ${m}`),
    };
  });
  afterEach(async () => {
    world.client.destroy();
    await world.fake.close();
    process.env = saved;
    guard.release();
    expect(guard.refused()).toEqual([]);
  });
  return world;
}

/** The routes of a table as `destination → target`. */
export function routesOf(fake: FakeEc2, tableId: string): string[] {
  return [...fake.world.table(tableId).routes.values()].map((r) => `${r.destination} → ${'instanceId' in r.target ? r.target.instanceId : r.target.gatewayId}`);
}
