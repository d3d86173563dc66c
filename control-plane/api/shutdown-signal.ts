/**
 * SIGTERM and SIGINT as a promise, for long-running commands (`skiff
 * server`, `skiff agent`): `signalled` resolves with the signal's name,
 * `fired` says whether it came, `dispose` removes the handlers.
 */
export interface ShutdownSignal {
  signalled: Promise<string>;
  fired: boolean;
  dispose(): void;
}

/** Installs the handlers; call `dispose` once the command ends. */
export function shutdownSignal(): ShutdownSignal {
  let resolve: (s: string) => void = () => undefined;
  const state: ShutdownSignal = {
    signalled: new Promise<string>((r) => (resolve = r)),
    fired: false,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
  function onSignal(signal: string): void {
    state.fired = true;
    resolve(signal);
  }
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return state;
}
