import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

// Docker, Envoy and a cluster are not available here: these checks catch what can be caught
// offline — YAML that parses, and names that refer to things that exist.
const ROOT = join(import.meta.dirname, "..");
const read = (path: string): any => parse(readFileSync(join(ROOT, path), "utf8"));

const compose = read("docker-compose.yml");
const services: Record<string, any> = compose.services;
const envoy = read("deploy/envoy/envoy.yaml");

describe("docker-compose.yml", () => {
  it("brings up Envoy, gateway, two front replicas, a provider, PostgreSQL, Redis, a collector and Jaeger", () => {
    for (const name of ["envoy", "gateway", "front", "provider-local", "postgres", "redis", "otel-collector", "jaeger"])
      expect(services).toHaveProperty(name);
    expect(services.front.deploy.replicas).toBe(2);
  });

  it("has depends_on only on defined services and no host port published twice", () => {
    for (const [name, service] of Object.entries(services)) {
      const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(services, `${name} depends on ${dep}`).toHaveProperty(dep);
      expect(service.image ?? service.build, `${name} has an image or a build`).toBeDefined();
    }
    const published = Object.values(services).flatMap((s) =>
      (s.ports ?? []).map((p: string) => p.split(":").slice(0, -1).join(":")),
    );
    expect(new Set(published).size).toBe(published.length);
  });

  it("builds every imagegen service from a target the Dockerfile defines", () => {
    const targets = [...readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8").matchAll(/^FROM \S+ AS (\S+)$/gm)].map(
      (m) => m[1],
    );
    for (const service of Object.values(services).filter((s) => s.build))
      expect(targets).toContain(service.build.target);
  });

  it("points every internal URL at a defined service, and mounts only existing config files", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!key.endsWith("_URL") || key === "IMAGEGEN_PUBLIC_URL" || typeof value !== "string") continue;
        const host = new URL(value).hostname;
        expect(services, `${name}.${key} → ${host}`).toHaveProperty(host);
      }
      for (const volume of service.volumes ?? []) {
        const [source] = String(volume).split(":");
        if (source?.startsWith("./")) expect(() => readFileSync(join(ROOT, source))).not.toThrow();
        else expect(compose.volumes, `${name} volume ${source}`).toHaveProperty(source as string);
      }
    }
    // Each provider URL the front knows has a provider service (some behind a profile).
    for (const [key, value] of Object.entries(services.front.environment)) {
      if (/^IMAGEGEN_PROVIDER_.+_URL$/.test(key)) expect(services).toHaveProperty(new URL(value as string).hostname);
    }
  });
});

describe("docker-compose.yml restarts and health checks", () => {
  it("restarts every service whose process exits, and health-checks every imagegen process", () => {
    for (const [name, service] of Object.entries(services)) {
      expect(["unless-stopped", "always", "on-failure"], `${name} restart`).toContain(service.restart);
    }
    const imagegen = Object.keys(services).filter(
      (name) => name === "gateway" || name === "front" || name.startsWith("provider-"),
    );
    expect(imagegen.length).toBeGreaterThanOrEqual(4);
    for (const name of imagegen) {
      const test = services[name].healthcheck?.test;
      expect(test, `${name} healthcheck`).toEqual(expect.arrayContaining(["CMD"]));
      // The check dials the port the service itself is configured to listen on.
      const portVariable = Object.keys(services[name].environment).find((key) =>
        /^IMAGEGEN_(FRONT_|PROVIDER_[A-Z0-9_]+_)?(?<!METRICS_)PORT$/.test(key),
      )!;
      expect(test.join(" "), name).toContain(`127.0.0.1:${services[name].environment[portVariable]}/`);
    }
    expect(services.gateway.healthcheck.test.join(" ")).toContain("/healthz");
  });
});

describe("deploy/envoy/envoy.yaml", () => {
  const clusters = new Map<string, any>(envoy.static_resources.clusters.map((c: any) => [c.name, c]));
  const managers = envoy.static_resources.listeners.flatMap((l: any) =>
    l.filter_chains.flatMap((fc: any) => fc.filters.map((f: any) => f.typed_config)),
  );

  it("routes only to defined clusters, gRPC to front and the rest to the gateway", () => {
    const routes = managers.flatMap((m: any) => m.route_config.virtual_hosts.flatMap((vh: any) => vh.routes));
    for (const route of routes) expect(clusters.has(route.route.cluster), route.route.cluster).toBe(true);
    const publicRoutes = managers.find((m: any) => m.stat_prefix === "public").route_config.virtual_hosts[0].routes;
    expect(publicRoutes[0].match.headers[0]).toMatchObject({
      name: "content-type",
      string_match: { prefix: "application/grpc" },
    });
    expect(publicRoutes[0].route.cluster).toBe("front");
    expect(publicRoutes.at(-1)).toMatchObject({ match: { prefix: "/" }, route: { cluster: "gateway" } });
  });

  it("takes the gateway's internal calls in either protocol (Connect over HTTP/1.1 or gRPC over h2c)", () => {
    expect(managers.find((m: any) => m.stat_prefix === "front_internal").codec_type).toBe("AUTO");
    expect(
      clusters.get("front").typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
        .explicit_http_config,
    ).toHaveProperty("http2_protocol_options");
  });

  it("has grpc_web before the router, and traces to a defined collector cluster", () => {
    const publicFilters = managers.find((m: any) => m.stat_prefix === "public").http_filters.map((f: any) => f.name);
    expect(publicFilters.indexOf("envoy.filters.http.grpc_web")).toBeGreaterThanOrEqual(0);
    expect(publicFilters.at(-1)).toBe("envoy.filters.http.router");
    for (const m of managers) {
      const tracing = m.tracing?.provider?.typed_config?.grpc_service?.envoy_grpc?.cluster_name;
      if (tracing) expect(clusters.has(tracing)).toBe(true);
    }
  });

  it("balances round-robin over compose services with health checks and outlier detection", () => {
    for (const name of ["gateway", "front"]) {
      const cluster = clusters.get(name);
      expect(cluster).toMatchObject({ type: "STRICT_DNS", lb_policy: "ROUND_ROBIN" });
      expect(cluster.health_checks.length).toBeGreaterThan(0);
      expect(cluster.outlier_detection).toBeDefined();
    }
    for (const cluster of clusters.values()) {
      for (const endpoint of cluster.load_assignment.endpoints.flatMap((e: any) => e.lb_endpoints)) {
        expect(services).toHaveProperty(endpoint.endpoint.address.socket_address.address);
      }
    }
  });
});

describe("deploy/otel-collector.yaml", () => {
  it("wires every pipeline to defined receivers, processors and exporters", () => {
    const config = read("deploy/otel-collector.yaml");
    for (const pipeline of Object.values<any>(config.service.pipelines)) {
      for (const kind of ["receivers", "processors", "exporters"]) {
        for (const name of pipeline[kind] ?? []) expect(config[kind], `${kind} ${name}`).toHaveProperty(name);
      }
    }
  });
});

describe("deploy/k8s", () => {
  const docs = readdirSync(join(ROOT, "deploy/k8s"))
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(ROOT, "deploy/k8s", f), "utf8")).map((d) => ({ file: f, doc: d.toJS() })),
    );

  it("every manifest parses and has apiVersion, kind and metadata.name", () => {
    expect(docs.length).toBeGreaterThan(0);
    for (const { file, doc } of docs) {
      expect(doc, file).toMatchObject({
        apiVersion: expect.any(String),
        kind: expect.any(String),
        metadata: { name: expect.any(String) },
      });
    }
  });

  it("Deployments select their own pods, have images and probes, and reference config that exists", () => {
    const configMaps = new Set(docs.filter((d) => d.doc.kind === "ConfigMap").map((d) => d.doc.metadata.name));
    const claims = new Set(docs.filter((d) => d.doc.kind === "PersistentVolumeClaim").map((d) => d.doc.metadata.name));
    for (const { doc } of docs.filter((d) => d.doc.kind === "Deployment")) {
      expect(doc.spec.template.metadata.labels).toMatchObject(doc.spec.selector.matchLabels);
      for (const container of doc.spec.template.spec.containers) {
        expect(container.image).toBeTruthy();
        expect(container.readinessProbe, `${doc.metadata.name} readiness`).toBeDefined();
        expect(container.livenessProbe, `${doc.metadata.name} liveness`).toBeDefined();
        for (const from of container.envFrom ?? []) expect(configMaps.has(from.configMapRef.name)).toBe(true);
        for (const env of container.env ?? []) {
          if (env.valueFrom?.configMapKeyRef) expect(configMaps.has(env.valueFrom.configMapKeyRef.name)).toBe(true);
          // Secrets only by reference: no literal value for anything that looks like one.
          if (/KEY|TOKEN|SECRET|PASSWORD|DATABASE_URL/.test(env.name))
            expect(env.valueFrom?.secretKeyRef, env.name).toBeDefined();
        }
      }
      for (const volume of doc.spec.template.spec.volumes ?? []) {
        if (volume.persistentVolumeClaim) expect(claims.has(volume.persistentVolumeClaim.claimName)).toBe(true);
      }
    }
  });

  it("pods restart on exit, gateways are live on /healthz and ready on /readyz", () => {
    const deployments = docs.filter((d) => d.doc.kind === "Deployment").map((d) => d.doc);
    for (const deployment of deployments)
      expect(deployment.spec.template.spec.restartPolicy, deployment.metadata.name).toBe("Always");
    const gateway = deployments.find((d) => d.metadata.name === "imagegen-gateway").spec.template.spec.containers[0];
    expect(gateway.livenessProbe.httpGet).toMatchObject({ path: "/healthz", port: "http" });
    expect(gateway.readinessProbe.httpGet).toMatchObject({ path: "/readyz", port: "http" });
  });

  it("every Service selects a Deployment's pods and targets a named container port", () => {
    const deployments = docs.filter((d) => d.doc.kind === "Deployment").map((d) => d.doc);
    for (const { doc } of docs.filter((d) => d.doc.kind === "Service")) {
      const target = deployments.find((dep) =>
        Object.entries(doc.spec.selector).every(([k, v]) => dep.spec.template.metadata.labels[k] === v),
      );
      expect(target, doc.metadata.name).toBeDefined();
      const portNames = target.spec.template.spec.containers.flatMap((c: any) => c.ports.map((p: any) => p.name));
      for (const port of doc.spec.ports) expect(portNames).toContain(port.targetPort);
    }
  });

  it("gives every imagegen process the deployment's service identity secret from one Secret key", () => {
    const containers = docs
      .filter((d) => d.doc.kind === "Deployment")
      .flatMap((d) => d.doc.spec.template.spec.containers);
    expect(containers.length).toBeGreaterThanOrEqual(4);
    for (const container of containers) {
      const env = (container.env ?? []).find((e: any) => e.name === "IMAGEGEN_SERVICE_SECRET");
      expect(env?.valueFrom?.secretKeyRef, container.name).toEqual({ name: "imagegen-secrets", key: "service-secret" });
    }
  });
});

describe("service identity in docker-compose.yml", () => {
  it("gives gateway, front and every provider the same IMAGEGEN_SERVICE_SECRET, required from the host", () => {
    const imagegen = Object.entries(services).filter(([, s]) => s.build);
    expect(imagegen.map(([name]) => name)).toEqual(expect.arrayContaining(["gateway", "front", "provider-local"]));
    // The services take it from the shared anchors (`<<: *imagegen-env`, `<<: *provider-env`).
    const environment = (service: any): Record<string, unknown> => ({
      ...service.environment?.["<<"],
      ...service.environment,
    });
    for (const [name, service] of imagegen)
      expect(environment(service).IMAGEGEN_SERVICE_SECRET, name).toMatch(/^\$\{IMAGEGEN_SERVICE_SECRET:\?/);
  });
});
