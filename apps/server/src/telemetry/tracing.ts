/** The tracer provider `startTracingFromEnv` registered. */
export interface Tracing {
  /** Sends the spans still buffered. */
  flush(): Promise<void>;
  /** Sends what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}
