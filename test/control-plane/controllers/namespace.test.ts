/**
 * The namespace controller's pure part: the deletion conditions a
 * Terminating namespace reports, in Kubernetes' words.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  conditionsChanged,
  deletionConditions,
  isEmpty,
  type ContentReport,
} from '../../../control-plane/controllers/namespace/conditions.ts';

const NOW = new Date(Date.UTC(2024, 0, 1, 12));
const LATER = new Date(Date.UTC(2024, 0, 1, 13));

const report = (
  remaining: [string, number][] = [],
  finalizers: [string, number][] = [],
  failures: string[] = [],
): ContentReport => ({ remaining: new Map(remaining), finalizers: new Map(finalizers), failures });

const byType = (cs: { type: string; status: string; reason?: string; message?: string }[]) =>
  Object.fromEntries(cs.map((c) => [c.type, `${c.status} ${c.reason} ${c.message}`]));

describe('deletionConditions', () => {
  test('content remaining, held by finalizers', () => {
    const got = deletionConditions(
      [],
      report(
        [
          ['replicasets.apps', 1],
          ['pods', 2],
        ],
        [['foregroundDeletion', 1]],
      ),
      NOW,
    );
    assert.deepEqual(byType(got), {
      NamespaceDeletionDiscoveryFailure:
        'False ResourcesDiscovered All resources successfully discovered',
      NamespaceDeletionGroupVersionParsingFailure:
        'False ParsedGroupVersions All legacy kube types successfully parsed',
      NamespaceDeletionContentFailure:
        'False ContentDeleted All content successfully deleted, may be waiting on finalization',
      NamespaceContentRemaining:
        'True SomeResourcesRemain Some resources are remaining: pods has 2 resource instances, replicasets.apps has 1 resource instances',
      NamespaceFinalizersRemaining:
        'True SomeFinalizersRemain Some content in the namespace has finalizers remaining: foregroundDeletion in 1 resource instances',
    });
    assert.ok(got.every((c) => c.lastTransitionTime === NOW.toISOString()));
  });

  test('failures are reported', () => {
    const got = deletionConditions([], report([], [], ['pods: boom']), NOW);
    assert.equal(
      byType(got).NamespaceDeletionContentFailure,
      'True ContentDeletionFailed Failed to delete all resource types, 1 remaining: pods: boom',
    );
  });

  test('all gone; a condition keeps its transition time while its status holds', () => {
    const first = deletionConditions([], report([['pods', 1]]), NOW);
    const second = deletionConditions(first, report(), LATER);
    const t = (type: string) => second.find((c) => c.type === type)?.lastTransitionTime;
    assert.equal(t('NamespaceContentRemaining'), LATER.toISOString());
    assert.equal(t('NamespaceDeletionDiscoveryFailure'), NOW.toISOString());
    assert.equal(
      byType(second).NamespaceContentRemaining,
      'False ContentRemoved All content successfully removed',
    );
  });

  test('other conditions are kept', () => {
    const other = { type: 'Custom', status: 'True' };
    assert.ok(deletionConditions([other], report(), NOW).some((c) => c.type === 'Custom'));
  });
});

describe('isEmpty and conditionsChanged', () => {
  const cases = [
    { name: 'nothing left', r: report(), empty: true },
    { name: 'pods left', r: report([['pods', 1]]), empty: false },
    { name: 'a failure', r: report([], [], ['x']), empty: false },
  ];
  for (const c of cases) test(`isEmpty: ${c.name}`, () => assert.equal(isEmpty(c.r), c.empty));

  test('the same conditions at another time are no change', () => {
    const a = deletionConditions([], report([['pods', 1]]), NOW);
    const b = deletionConditions([], report([['pods', 1]]), LATER);
    assert.equal(conditionsChanged(a, b), false);
    assert.equal(conditionsChanged(a, deletionConditions([], report([['pods', 2]]), NOW)), true);
  });
});
