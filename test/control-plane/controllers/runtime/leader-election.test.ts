/**
 * Leader election against a real API server (in-process, real SQLite
 * store, real HTTP): one of two candidates leads, the other takes over when
 * it steps down, a leader cut off from the API stops leading, and an
 * abandoned lease is taken over. Durations are shortened (lease 3 s, renew
 * deadline 2.5 s, retry 0.5 s); waits are generous and nothing asserts on
 * timing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { Lease } from '../../../../control-plane/api/types.ts';
import { runLeaderElection } from '../../../../control-plane/controllers/runtime/leader-election.ts';
import { apiLeaseClient } from '../../../../control-plane/controllers/runtime/lease-client.ts';
import { ApiFixture, eventually, quietLogger } from '../../api/client/api-fixture.ts';

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

interface Candidate {
  identity: string;
  readonly leading: boolean;
  done: Promise<void>;
  stop(): void;
}

describe('leader election over a Lease', () => {
  let f: ApiFixture;
  const running: Candidate[] = [];

  before(async () => {
    f = await ApiFixture.start();
  });
  after(async () => {
    for (const c of running) c.stop();
    await Promise.all(running.map((c) => c.done));
    await f?.destroy();
  });

  function candidate(lease: string, identity: string, events: string[]): Candidate {
    const ac = new AbortController();
    let leading = false;
    const done = runLeaderElection({
      client: apiLeaseClient(f.client({ timeoutMs: 5_000 })),
      name: lease,
      identity,
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_500,
      retryPeriodMs: 500,
      onStartedLeading: (signal) => {
        leading = true;
        events.push(`start ${identity}`);
        return new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            leading = false;
            events.push(`end ${identity}`);
            resolve();
          }),
        );
      },
      onStoppedLeading: () => events.push(`stopped ${identity}`),
      signal: ac.signal,
      logger: quietLogger,
    });
    const c = {
      identity,
      done,
      stop: () => ac.abort(),
      get leading() {
        return leading;
      },
    };
    running.push(c);
    return c;
  }

  const readLease = (name: string) =>
    f.client().get<Lease>(LEASES, name, { namespace: 'kube-system' });

  test('exactly one of two candidates leads; the other takes over when it steps down', async () => {
    const events: string[] = [];
    const a = candidate('two-candidates', 'a', events);
    const b = candidate('two-candidates', 'b', events);
    await eventually('a leader', () => a.leading || b.leading);
    const [leader, follower] = a.leading ? [a, b] : [b, a];

    // Watch both for two lease durations: never two leaders.
    let both = 0;
    for (let i = 0; i < 80; i++) {
      if (a.leading && b.leading) both++;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(both, 0);
    assert.equal(leader.leading, true, 'the leader kept renewing');
    assert.equal(follower.leading, false);

    const held = await readLease('two-candidates');
    assert.equal(held.spec?.holderIdentity, leader.identity);
    assert.equal(held.spec?.leaseDurationSeconds, 3);
    assert.equal(held.spec?.leaseTransitions, 0);
    assert.match(held.spec?.renewTime ?? '', MICRO_TIME);
    assert.match(held.spec?.acquireTime ?? '', MICRO_TIME);

    leader.stop();
    await leader.done;
    await eventually('the follower to take over', () => follower.leading);
    const taken = await readLease('two-candidates');
    assert.equal(taken.spec?.holderIdentity, follower.identity);
    assert.equal(taken.spec?.leaseTransitions, 1);
    const order = (e: string) => events.indexOf(e);
    assert.ok(
      order(`end ${leader.identity}`) < order(`start ${follower.identity}`),
      events.join(', '),
    );
    assert.ok(order(`end ${leader.identity}`) < order(`stopped ${leader.identity}`));
    follower.stop();
    await follower.done;
  });

  test('a leader that cannot renew within the deadline stops leading', async () => {
    const events: string[] = [];
    const c = candidate('cut-off', 'solo', events);
    await eventually('leadership', () => c.leading);
    await f.stop();
    try {
      await c.done;
      assert.deepEqual(events, ['start solo', 'end solo', 'stopped solo']);
      assert.equal(c.leading, false);
    } finally {
      await f.restart();
    }
  });

  test('a lease whose holder stopped renewing is taken over', async () => {
    await f.client().create<Lease>(
      LEASES,
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'abandoned', namespace: 'kube-system' },
        spec: {
          holderIdentity: 'ghost',
          leaseDurationSeconds: 2,
          renewTime: '2024-01-01T00:00:00.000000Z',
          acquireTime: '2024-01-01T00:00:00.000000Z',
          leaseTransitions: 5,
        },
      },
      { namespace: 'kube-system' },
    );
    const events: string[] = [];
    const c = candidate('abandoned', 'heir', events);
    await eventually('the takeover', () => c.leading);
    const lease = await readLease('abandoned');
    assert.equal(lease.spec?.holderIdentity, 'heir');
    assert.equal(lease.spec?.leaseTransitions, 6);
    c.stop();
    await c.done;
    const released = await readLease('abandoned');
    assert.equal(released.spec?.holderIdentity ?? '', '', 'released on stop');
  });

  test('inconsistent durations are refused before anything starts', async () => {
    await assert.rejects(
      runLeaderElection({
        client: apiLeaseClient(f.client()),
        name: 'bad',
        identity: 'x',
        leaseDurationMs: 5_000,
        renewDeadlineMs: 6_000,
        onStartedLeading: () => undefined,
        signal: new AbortController().signal,
        logger: quietLogger,
      }),
      /leaseDurationMs \(5000\) must be greater than renewDeadlineMs \(6000\)/,
    );
  });
});
