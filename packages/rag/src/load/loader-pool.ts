import { LoaderProcess } from "./loader-process.js";

/** How long an idle loader process is kept for the next sync. */
const IDLE_MS = 15_000;

const idle: Array<{ loader: LoaderProcess; timer: NodeJS.Timeout }> = [];

/**
 * A loader process for one sync: an idle one with the same memory limit when there is one
 * (starting a process costs more than most files), else a new one. Give it back with
 * `releaseLoader`.
 */
export function acquireLoader(memoryMb: number): LoaderProcess {
  const at = idle.findIndex((entry) => entry.loader.memoryMb === memoryMb);
  if (at < 0) return new LoaderProcess(memoryMb);
  const [entry] = idle.splice(at, 1);
  clearTimeout(entry?.timer);
  return (entry as { loader: LoaderProcess }).loader;
}

/** Keeps a loader process for a while (it does not keep the program running), then ends it. */
export function releaseLoader(loader: LoaderProcess): void {
  if (!loader.running) return;
  const timer = setTimeout(() => {
    const at = idle.findIndex((entry) => entry.loader === loader);
    if (at >= 0) idle.splice(at, 1);
    loader.close();
  }, IDLE_MS);
  timer.unref();
  idle.push({ loader, timer });
}
