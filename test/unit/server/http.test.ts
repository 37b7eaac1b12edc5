// @vitest-environment node
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type CourierServer } from "../../../src/server";

let dir: string;
let server: CourierServer;

/** A raw request: the path goes out exactly as written (fetch would normalise `..` away). */
function get(path: string, method = "GET"): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "courier-static-"));
  const root = join(dir, "public");
  mkdirSync(join(root, "sub"), { recursive: true });
  writeFileSync(join(dir, "secret.txt"), "TOP SECRET");
  const files: Record<string, string> = {
    "index.html": "<h1>home</h1>", "app.js": "export {}", "mod.mjs": "export {}", "style.css": "b{}", "img.png": "png",
    "icon.svg": "<svg/>", "data.json": "{}", "app.js.map": "{}", "sub/index.html": "<h1>sub</h1>", "a b.txt": "spaced",
  };
  for (const [name, body] of Object.entries(files)) writeFileSync(join(root, name), body);
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, ".git", "config"), "SECRET git");
  writeFileSync(join(root, ".env"), "SECRET=1");
  mkdirSync(join(root, ".well"));
  writeFileSync(join(root, ".well", "index.html"), "SECRET index");
  symlinkSync(join(dir, "secret.txt"), join(root, "link.txt"));
  server = createServer({
    static: root,
    routes: {
      "/api/hello": (req, res) => void res.end(`hello ${req.method}`),
      "/api/broken": () => {
        throw new Error("route bug");
      },
    },
  });
  await server.listen();
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("static files", () => {
  it("serves index.html for / and for a folder", async () => {
    expect(await get("/")).toMatchObject({ status: 200, type: "text/html; charset=utf-8", body: "<h1>home</h1>" });
    expect(await get("/sub/")).toMatchObject({ status: 200, body: "<h1>sub</h1>" });
    expect(await get("/a%20b.txt")).toMatchObject({ status: 200, body: "spaced" });
  });

  it.each([
    ["/app.js", "text/javascript; charset=utf-8"],
    ["/mod.mjs", "text/javascript; charset=utf-8"],
    ["/style.css", "text/css; charset=utf-8"],
    ["/img.png", "image/png"],
    ["/icon.svg", "image/svg+xml"],
    ["/data.json", "application/json; charset=utf-8"],
    ["/app.js.map", "application/json; charset=utf-8"],
  ])("serves %s as %s", async (path, type) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.type).toBe(type);
  });

  it("answers HEAD without a body and refuses other methods", async () => {
    expect(await get("/app.js", "HEAD")).toMatchObject({ status: 200, body: "" });
    expect((await get("/app.js", "POST")).status).toBe(405);
  });

  it("answers 404 for what is missing", async () => {
    expect((await get("/nope.js")).status).toBe(404);
    expect((await get("/sub/nope/")).status).toBe(404);
  });

  it.each(["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/sub/../../secret.txt", "/%2e%2e%2f%2e%2e%2fetc/passwd", "/link.txt", "/x%00.html"])(
    "never serves outside the folder: %s",
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain("SECRET");
    },
  );

  it.each(["/.env", "/.git/config", "/%2eenv", "/sub/../.env", "/.well/", "/.well"])("never serves a dotfile: %s", async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain("SECRET");
  });

  it("answers 400 to a malformed escape", async () => {
    expect((await get("/%E0%A4%A")).status).toBe(400);
  });
});

describe("routes", () => {
  it("runs a route before static files, for any method", async () => {
    expect(await get("/api/hello")).toMatchObject({ status: 200, body: "hello GET" });
    expect(await get("/api/hello", "POST")).toMatchObject({ status: 200, body: "hello POST" });
  });

  it("answers 500 when a route throws, and keeps serving", async () => {
    expect((await get("/api/broken")).status).toBe(500);
    expect((await get("/")).status).toBe(200);
  });
});
