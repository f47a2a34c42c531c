/** Why a loader gave up on a file that is readable but over a bound. */
export type LimitReason = "too-many-pages" | "too-much-text";

/** Thrown inside a loader when a file goes over a bound; turned into a skip, never seen outside. */
export class LoadRefusal extends Error {
  constructor(
    readonly reason: LimitReason,
    message: string,
  ) {
    super(message);
    this.name = "LoadRefusal";
  }
}
