/** Volume validation: names, exactly one source, and the rules of the sources skiff runs. */
import { Volume as VolumeSchema } from '../schemas/volume.ts';
import type { Volume } from '../types.ts';
import type { Causes } from './common.ts';
import { oneOf } from './common.ts';
import { child, duplicate, forbidden, index, invalid, required } from './field-errors.ts';
import { dns1123LabelErrors } from './names.ts';

// Every property of the Volume schema but its name is a source: one list, in the schema.
const VOLUME_SOURCES = Object.keys(VolumeSchema.properties).filter(
  (k): k is Exclude<keyof Volume, 'name'> => k !== 'name',
);

/** Volumes: DNS-label names, unique, exactly one source; returns the set of names for volumeMounts. */
export function validateVolumes(out: Causes, path: string, volumes: Volume[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = index(path, i);
    if (!v.name) out.push(required(child(p, 'name'), ''));
    else {
      for (const m of dns1123LabelErrors(v.name)) out.push(invalid(child(p, 'name'), v.name, m));
      if (names.has(v.name)) out.push(duplicate(child(p, 'name'), v.name));
      names.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined);
    if (sources.length === 0) out.push(required(p, 'must specify a volume type'));
    else if (sources.length > 1)
      out.push(forbidden(child(p, sources[1] ?? ''), 'may not specify more than 1 volume type'));
    validateVolumeSource(out, p, v);
  });
  return names;
}

function validateVolumeSource(out: Causes, p: string, v: Volume): void {
  if (v.hostPath && !v.hostPath.path) out.push(required(child(child(p, 'hostPath'), 'path'), ''));
  if (v.hostPath?.type)
    oneOf(out, child(child(p, 'hostPath'), 'type'), v.hostPath.type, [
      'DirectoryOrCreate',
      'Directory',
      'FileOrCreate',
      'File',
      'Socket',
      'CharDevice',
      'BlockDevice',
    ]);
  if (v.configMap && !v.configMap.name)
    out.push(required(child(child(p, 'configMap'), 'name'), ''));
  if (v.secret && !v.secret.secretName)
    out.push(required(child(child(p, 'secret'), 'secretName'), ''));
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName)
    out.push(required(child(child(p, 'persistentVolumeClaim'), 'claimName'), ''));
  for (const src of ['configMap', 'secret', 'projected', 'downwardAPI'] as const) {
    const mode = v[src]?.defaultMode;
    if (mode !== undefined && (mode < 0 || mode > 0o777))
      out.push(
        invalid(
          child(child(p, src), 'defaultMode'),
          mode,
          'must be a number between 0 and 0777 (octal), both inclusive',
        ),
      );
  }
  for (const src of ['configMap', 'secret'] as const) {
    (v[src]?.items ?? []).forEach((item, i) => {
      const ip = index(child(child(p, src), 'items'), i);
      if (!item.key) out.push(required(child(ip, 'key'), ''));
      relativePath(out, child(ip, 'path'), item.path);
    });
  }
  if (
    v.emptyDir?.medium !== undefined &&
    v.emptyDir.medium !== '' &&
    !v.emptyDir.medium.startsWith('HugePages')
  )
    oneOf(out, child(child(p, 'emptyDir'), 'medium'), v.emptyDir.medium, [
      '',
      'Memory',
      'HugePages',
    ]);
}

function relativePath(out: Causes, p: string, path: string): void {
  if (!path) out.push(required(p, ''));
  else if (path.startsWith('/')) out.push(invalid(p, path, 'must be a relative path'));
  else if (path.split('/').includes('..')) out.push(invalid(p, path, "must not contain '..'"));
}

/** A pod template: its labels and annotations, then its spec under the owner's rules. */
