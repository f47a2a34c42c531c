import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/start-test-server.js";
import { loadPlayground, PLAYGROUND_DIR } from "./playground-assets.js";
import { PLAYGROUND_CSP, wantsHtml } from "./register-playground.js";

const KEY = "playground-key-0123456789";
let open: TestServer;
let keyed: TestServer;

beforeAll(async () => {
  if (!loadPlayground()) throw new Error(`The playground is not built (${PLAYGROUND_DIR}): run \`pnpm build\` first.`);
  open = await startTestServer();
  keyed = await startTestServer({ config: { server: { apiKeys: [KEY] } } });
});
afterAll(async () => {
  await open.close();
  await keyed.close();
});

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

describe("the playground at /", () => {
  it("a browser gets the page with a strict CSP; API clients still get Ollama's answer", async () => {
    const page = await fetch(`${open.url}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toBe(PLAYGROUND_CSP);
    expect(PLAYGROUND_CSP).toContain("script-src 'self'");
    expect(PLAYGROUND_CSP).not.toContain("unsafe-inline");
    const html = await page.text();
    // No inline script or style: every script has a src, no <style> element, no style attribute.
    expect(html).toMatch(/<script type="module" crossorigin src="\/playground\/assets\/[\w-]+\.js"><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    // Nothing from another host.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    for (const accept of [undefined, "*/*", "application/json"]) {
      const api = await fetch(`${open.url}/`, { headers: accept ? { accept } : {} });
      expect(await api.text()).toBe("Ollama is running");
    }
    // Other paths answer as before, whatever the Accept.
    const models = await fetch(`${open.url}/v1/models`, { headers: { accept: BROWSER_ACCEPT } });
    expect(models.status).toBe(200);
    expect(((await models.json()) as any).object).toBe("list");
  });

  it("serves the assets gzipped with long caching; unknown or odd names are a 404", async () => {
    const html = await (await fetch(`${open.url}/`, { headers: { accept: "text/html" } })).text();
    const script = /src="(\/playground\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/playground\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(script && style).toBeTruthy();
    const js = await fetch(`${open.url}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(js.status).toBe(200);
    expect(js.headers.get("content-encoding")).toBe("gzip");
    expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${open.url}${style}`)).headers.get("content-type")).toMatch(/^text\/css/);
    for (const name of ["nope.js", "..%2Fpackage.json", "%2E%2E%2Findex.html"]) {
      expect((await fetch(`${open.url}/playground/assets/${name}`)).status).toBe(404);
    }
  });

  it("on a keyed server the page and its assets need no key, the API still does", async () => {
    const page = await fetch(`${keyed.url}/`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    const script = /src="(\/playground\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    expect((await fetch(`${keyed.url}${script}`)).status).toBe(200);
    expect((await fetch(`${keyed.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${keyed.url}/v1/sessions`)).status).toBe(401);
    expect((await fetch(`${keyed.url}/v1/index`)).status).toBe(401);
  });

  it("wantsHtml: a browser's navigation, not */* or JSON", () => {
    expect(wantsHtml(BROWSER_ACCEPT)).toBe(true);
    expect(wantsHtml("text/html")).toBe(true);
    expect(wantsHtml("*/*")).toBe(false);
    expect(wantsHtml("application/json, text/plain")).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });
});
