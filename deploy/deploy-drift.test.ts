import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { PROVIDER_NODE_FLAGS } from "@imagegen/provider-kit/node-flags";
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from "../gateway/src/http/cors.ts";
import { FORWARDED_REQUEST_HEADERS } from "../gateway/src/rpc/forwarded-headers.ts";
import { PUBLIC_SERVICES } from "../gateway/src/public-services.ts";

// The deploy files against the code they front: a list kept in two places drifts, so each is
// compared with the gateway's own.
const ROOT = join(import.meta.dirname, "..");
const read = (path: string): any => parse(readFileSync(join(ROOT, path), "utf8"));
const envoy = read("deploy/envoy/envoy.yaml");
const publicManager = envoy.static_resources.listeners
  .flatMap((l: any) => l.filter_chains.flatMap((fc: any) => fc.filters.map((f: any) => f.typed_config)))
  .find((m: any) => m.stat_prefix === "public");
const routes: any[] = publicManager.route_config.virtual_hosts[0].routes;
const isGrpc = (route: any) =>
  (route.match.headers ?? []).some(
    (h: any) => h.name === "content-type" && h.string_match?.prefix === "application/grpc",
  );
const grpcRoutes = routes.filter(isGrpc);
const headerSet = (list: string) => new Set(list.split(",").map((h) => h.trim().toLowerCase()));

describe("Envoy's public routes against the gateway", () => {
  it("send gRPC of exactly the gateway's public services to a front, and nothing else", () => {
    expect(grpcRoutes.map((r) => r.match.prefix).sort()).toEqual(PUBLIC_SERVICES.map((s) => `/${s.typeName}/`).sort());
    for (const route of grpcRoutes) expect(route.route.cluster).toBe("front");
    // Every other request — health, reflection, internal or unknown services — reaches the gateway.
    const nonGrpc = routes.filter((r) => !isGrpc(r));
    expect(nonGrpc).toHaveLength(1);
    expect(routes.at(-1)).toMatchObject({ match: { prefix: "/" }, route: { cluster: "gateway" } });
    // The gateway speaks gRPC-Web itself: Envoy leaves it as it is on that route.
    expect(routes.at(-1).typed_per_filter_config["envoy.filters.http.grpc_web"]).toMatchObject({ disabled: true });
  });

  it("allow and expose, on the gRPC-Web routes, exactly the CORS headers the gateway does", () => {
    expect(grpcRoutes.length).toBeGreaterThan(0);
    for (const route of grpcRoutes) {
      const cors = route.typed_per_filter_config["envoy.filters.http.cors"];
      expect(headerSet(cors.allow_headers)).toEqual(new Set(CORS_ALLOWED_HEADERS));
      expect(headerSet(cors.expose_headers)).toEqual(new Set(CORS_EXPOSED_HEADERS));
    }
  });

  it("the gateway's CORS allows every header it forwards to the front (but those a browser may not set)", () => {
    const browserForbidden = new Set(["user-agent"]);
    for (const header of FORWARDED_REQUEST_HEADERS) {
      if (!browserForbidden.has(header)) expect(CORS_ALLOWED_HEADERS, header).toContain(header);
    }
  });
});

describe("image references", () => {
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const k8sImages = readdirSync(join(ROOT, "deploy/k8s"))
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(join(ROOT, "deploy/k8s", f), "utf8")).map((d) => d.toJS()))
    .filter((doc) => doc?.spec?.template?.spec)
    .flatMap((doc) =>
      [...doc.spec.template.spec.containers, ...(doc.spec.template.spec.initContainers ?? [])].map((c: any) =>
        String(c.image),
      ),
    );
  const composeImages = Object.values<any>(read("docker-compose.yml").services)
    .map((s) => s.image)
    .filter(Boolean) as string[];
  const tagOf = (image: string) => /:([^:/@]+)$/.exec(image)?.[1];

  it("Kubernetes runs our images at the repository's version", () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(k8sImages.length).toBeGreaterThan(0);
    for (const image of k8sImages) {
      expect(image, image).toMatch(/\/imagegen-(gateway|front|provider):/);
      expect(tagOf(image), image).toBe(version);
    }
  });

  it("every image is pinned to a full release: no latest, no floating major or minor tag", () => {
    for (const image of [...k8sImages, ...composeImages]) {
      expect(tagOf(image), image).toMatch(/^v?\d+\.\d+(\.\d+)?$/);
    }
    // A major.minor tag floats for most images; only PostgreSQL numbers its releases that way.
    for (const image of composeImages.filter((i) => !i.startsWith("postgres:")))
      expect(tagOf(image), image).toMatch(/^v?\d+\.\d+\.\d+$/);
  });
});

describe("the provider image", () => {
  it("starts a provider with the Node flags every launcher gives one (provider-kit's node-flags.ts)", () => {
    const dockerfile = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8");
    const stage = dockerfile.slice(dockerfile.indexOf("AS provider"));
    const command = /^CMD \[.*"exec node (.*) --import tsx services\/providers\//m.exec(stage)?.[1];
    expect(command?.split(" ")).toEqual(PROVIDER_NODE_FLAGS);
    // Kubernetes and compose run the image's command as it is.
    expect(readFileSync(join(ROOT, "deploy/k8s/providers.yaml"), "utf8")).not.toMatch(/^\s*(command|args):/m);
    const composeProviders = Object.values<any>(read("docker-compose.yml").services).filter(
      (s) => s.build?.target === "provider",
    );
    expect(composeProviders.length).toBeGreaterThan(0);
    for (const service of composeProviders) expect(service.command).toBeUndefined();
  });
});
