/**
 * Whether and how to get a container's image (pure), as the kubelet's
 * image manager decides (pkg/kubelet/images/image_manager.go
 * EnsureImageExists): a malformed name fails with InvalidImageName; Never
 * uses what is present or fails with ErrImageNeverPull; IfNotPresent pulls
 * only when missing; Always pulls every time; a pull inside its backoff
 * window fails with ImagePullBackOff. Each outcome carries the event the
 * kubelet would record.
 */
import { defaultPullPolicy } from '../../control-plane/api/defaults.ts';
import type { Container } from '../../control-plane/api/types.ts';
import { applyDefaultImageTag, goQuote } from './image-reference.ts';
import { SyncError } from './sync-error.ts';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** An event for the pod, as the kubelet records it. */
export interface KubeletEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type ImageDecision =
  /** The image is there: create with `image`. */
  | { action: 'use'; image: string; event: KubeletEvent }
  /** Pull `image` first (then record the outcome in the pull backoff). */
  | { action: 'pull'; image: string; event: KubeletEvent }
  /** Cannot proceed: the container waits with the error's reason and message. */
  | { action: 'fail'; error: SyncError; event: KubeletEvent };

export interface ImageFacts {
  /** Whether the (default-tagged) image is present on the node. */
  present: boolean;
  /** Whether the pull backoff says wait: `backoff.isInBackOffSinceUpdate(imagePullKey(pod, image), now)`. */
  inBackOff: boolean;
}

/** The pull policy in force: the container's, else Kubernetes' default for its tag. */
export function pullPolicyOf(container: Container): PullPolicy {
  const p = container.imagePullPolicy;
  if (p === 'Always' || p === 'IfNotPresent' || p === 'Never') return p;
  return defaultPullPolicy(container.image ?? '');
}

/**
 * The image reference to create `container` with (":latest" applied), or a
 * SyncError InvalidImageName with the kubelet's message.
 */
export function resolveImage(container: Container): string {
  const image = container.image ?? '';
  try {
    return applyDefaultImageTag(image);
  } catch (err) {
    throw new SyncError(
      'InvalidImageName',
      `Failed to apply default image tag ${goQuote(image)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** What to do about `container`'s image, given what the node has. */
export function decideImage(container: Container, facts: ImageFacts): ImageDecision {
  const spec = container.image ?? '';
  let image: string;
  try {
    image = resolveImage(container);
  } catch (err) {
    const error = err as SyncError;
    return { action: 'fail', error, event: warning('InspectFailed', error.message) };
  }
  const policy = pullPolicyOf(container);
  if (policy === 'Never' || (policy === 'IfNotPresent' && facts.present)) {
    if (facts.present) {
      return {
        action: 'use',
        image,
        event: normal('Pulled', `Container image ${goQuote(spec)} already present on machine`),
      };
    }
    const message = `Container image ${goQuote(spec)} is not present with pull policy of Never`;
    return {
      action: 'fail',
      error: new SyncError('ErrImageNeverPull', message),
      event: warning('ErrImageNeverPull', message),
    };
  }
  if (facts.inBackOff) {
    const message = `Back-off pulling image ${goQuote(spec)}`;
    return {
      action: 'fail',
      error: new SyncError('ImagePullBackOff', message),
      event: normal('BackOff', message),
    };
  }
  return { action: 'pull', image, event: normal('Pulling', `Pulling image ${goQuote(spec)}`) };
}

/** The event of a failed pull ("Failed"), as the kubelet words it. */
export function pullFailedEvent(container: Container, err: unknown): KubeletEvent {
  const why = err instanceof Error ? err.message : String(err);
  return warning('Failed', `Failed to pull image ${goQuote(container.image ?? '')}: ${why}`);
}

/** The event of a successful pull ("Pulled"). */
export function pulledEvent(container: Container, elapsedMs: number): KubeletEvent {
  return normal(
    'Pulled',
    `Successfully pulled image ${goQuote(container.image ?? '')} in ${(elapsedMs / 1000).toFixed(3)}s`,
  );
}

function normal(reason: string, message: string): KubeletEvent {
  return { type: 'Normal', reason, message };
}

function warning(reason: string, message: string): KubeletEvent {
  return { type: 'Warning', reason, message };
}
