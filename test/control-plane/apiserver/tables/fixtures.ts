// Shared inputs of the table tests: a fixed clock and object builders.
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import { toTable } from '../../../../control-plane/apiserver/tables/index.ts';

/** The clock every table test reads. */
export const now = new Date('2025-03-01T12:00:00Z');
/** The timestamp `ms` before `now`. */
export const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
export const H = 3_600_000;

/** A served resource by group and plural (version v1). */
export const res = (group: string, plural: string) =>
  findResource(group, 'v1', plural) as ResourceInfo;

/** An object named "x" created two hours before `now`. */
export function obj(
  apiVersion: string,
  kind: string,
  rest: Record<string, unknown>,
  meta = {},
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name: 'x', namespace: 'default', creationTimestamp: ago(2 * H), ...meta },
    ...rest,
  };
}

/** A pod template with two containers. */
export const template = {
  spec: {
    containers: [
      { name: 'web', image: 'nginx:1.27' },
      { name: 'log', image: 'fluentd:1' },
    ],
  },
};

/** One expected row: the column names and the cells of the object's row. */
export interface TableCase {
  name: string;
  r: ResourceInfo;
  obj: KubeObject;
  headers: string[];
  cells: unknown[];
}

/** Column names and first row of a one-object table. */
export function render(c: TableCase): { headers: string[]; cells: unknown[] | undefined } {
  const table = toTable(c.r, [c.obj], { now });
  return { headers: table.columnDefinitions.map((d) => d.name), cells: table.rows[0]?.cells };
}
