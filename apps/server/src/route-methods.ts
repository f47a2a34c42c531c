import type { FastifyInstance } from "fastify";

/**
 * The methods each route path answers, collected as routes are added, so a request with a
 * wrong method gets 405 with an `Allow` header instead of 404.
 */
export class RouteMethods {
  readonly #routes: { pattern: RegExp; methods: Set<string> }[] = [];

  /** Starts collecting; call before any route is added. */
  static collect(app: FastifyInstance): RouteMethods {
    const methods = new RouteMethods();
    app.addHook("onRoute", (route) => {
      for (const method of [route.method].flat()) methods.add(method, route.url);
    });
    return methods;
  }

  /**
   * Records one route. `:param` segments and a trailing `*` match any value. Catch-all routes
   * (`*`, `/*`: CORS preflight answers) say nothing about a path, so they are left out.
   */
  add(method: string, url: string): void {
    if (url === "*" || url === "/*") return;
    const source = url
      .split("/")
      .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment === "*" ? ".*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    const pattern = new RegExp(`^${source}$`);
    let entry = this.#routes.find((route) => route.pattern.source === pattern.source);
    if (!entry) {
      entry = { pattern, methods: new Set() };
      this.#routes.push(entry);
    }
    entry.methods.add(method.toUpperCase());
  }

  /** The methods some route answers at this path (empty when no route has the path). */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.#routes) if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    return [...methods].sort();
  }
}
