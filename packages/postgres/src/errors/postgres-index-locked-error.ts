import { IndexLockedError } from "@corral/rag";

/** Another writer (another process or replica, or another handle here) holds a PostgreSQL index. */
export class PostgresIndexLockedError extends IndexLockedError {
  /** Who holds it: `<host>:<pid>:<random>`. */
  readonly holder: string;

  constructor(location: string, holder: string, expiresAt: Date) {
    const pid = Number(holder.split(":")[1]);
    super(Number.isInteger(pid) ? pid : 0, location);
    this.holder = holder;
    this.message = `The index ${location} is being written by ${holder}. Wait for that sync to finish and try again; if that process is gone, its lock lapses by ${expiresAt.toISOString()}.`;
  }
}
