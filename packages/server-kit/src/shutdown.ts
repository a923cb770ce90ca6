/**
 * Runs `stop` once on SIGTERM or SIGINT and exits when it settles; a second signal, or
 * `stop` overrunning `hardLimitMs`, exits at once so a stuck drain never blocks a deploy.
 */
export function onShutdownSignal(stop: () => Promise<void>, hardLimitMs = 15_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    setTimeout(() => process.exit(1), hardLimitMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown after ${signal} failed:`, error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
