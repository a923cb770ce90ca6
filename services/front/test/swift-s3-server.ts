import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./state-servers.ts";

/**
 * A real S3-compatible server for tests: OpenStack Swift (Debian's swift-proxy, swift-account,
 * swift-container, swift-object) as a one-node "Swift all in one" under a temp dir, its proxy
 * speaking S3 through the s3api middleware, with one tempauth user. A missing binary FAILS the
 * test with what to install, as for PostgreSQL and Redis (state-servers.ts).
 */
export interface S3TestServer {
  /** IMAGEGEN_BLOB_URL for a bucket `bucket` on this server (created on first use by the caller). */
  blobUrl(bucket: string, prefix?: string): string;
  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for the server's user. */
  readonly credentials: { readonly AWS_ACCESS_KEY_ID: string; readonly AWS_SECRET_ACCESS_KEY: string };
  readonly endpoint: string;
  stop(): Promise<void>;
}

const SERVERS = ["account", "container", "object"] as const;

export async function startSwiftS3(): Promise<S3TestServer> {
  for (const binary of ["swift-ring-builder", "swift-proxy-server", ...SERVERS.map((s) => `swift-${s}-server`)]) {
    if (!existsSync(`/usr/bin/${binary}`)) {
      throw new Error(
        `${binary} not found: install Debian's swift swift-proxy swift-account swift-container swift-object (see .ci/debian-packages.txt)`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "imagegen-swift-"));
  mkdirSync(join(dir, "dev", "d1"), { recursive: true });
  // swift.conf is read from swift_dir, so nothing under /etc/swift is touched.
  writeFileSync(
    join(dir, "swift.conf"),
    "[swift-hash]\nswift_hash_path_suffix = imagegen-test\nswift_hash_path_prefix = imagegen-test\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n",
  );
  const ports = {
    account: await freePort(),
    container: await freePort(),
    object: await freePort(),
    proxy: await freePort(),
  };
  for (const server of SERVERS) {
    const builder = join(dir, `${server}.builder`);
    for (const args of [["create", "0", "1", "0"], ["add", `r1z1-127.0.0.1:${ports[server]}/d1`, "1"], ["rebalance"]]) {
      const run = spawnSync("swift-ring-builder", [builder, ...args], { encoding: "utf8" });
      // rebalance exits 1 with a warning on a one-device ring; the ring file is what counts.
      if (run.status !== 0 && !(args[0] === "rebalance" && existsSync(join(dir, `${server}.ring.gz`))))
        throw new Error(`swift-ring-builder ${args.join(" ")}: ${run.stdout}${run.stderr}`);
    }
    writeFileSync(
      join(dir, `${server}-server.conf`),
      `[DEFAULT]\ndevices = ${join(dir, "dev")}\nmount_check = false\nbind_ip = 127.0.0.1\nbind_port = ${ports[server]}\nworkers = 0\nswift_dir = ${dir}\n` +
        `[pipeline:main]\npipeline = ${server}-server\n[app:${server}-server]\nuse = egg:swift#${server}\n`,
    );
  }
  const accessKey = "imagegen:tester";
  const secretKey = "testing-secret-key";
  writeFileSync(
    join(dir, "proxy-server.conf"),
    `[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = ${ports.proxy}\nworkers = 0\nswift_dir = ${dir}\n` +
      "[pipeline:main]\npipeline = catch_errors gatekeeper proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server\n" +
      "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n" +
      "[filter:catch_errors]\nuse = egg:swift#catch_errors\n[filter:gatekeeper]\nuse = egg:swift#gatekeeper\n" +
      "[filter:proxy-logging]\nuse = egg:swift#proxy_logging\n[filter:cache]\nuse = egg:swift#memcache\n" +
      "[filter:listing_formats]\nuse = egg:swift#listing_formats\n[filter:s3api]\nuse = egg:swift#s3api\nlocation = us-east-1\n" +
      `[filter:tempauth]\nuse = egg:swift#tempauth\nuser_imagegen_tester = ${secretKey} .admin\n` +
      "[filter:copy]\nuse = egg:swift#copy\n[filter:slo]\nuse = egg:swift#slo\n[filter:dlo]\nuse = egg:swift#dlo\n",
  );
  let output = "";
  const children: ChildProcess[] = [...SERVERS, "proxy" as const].map((server) => {
    const child = spawn(`/usr/bin/swift-${server}-server`, [join(dir, `${server}-server.conf`)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    return child;
  });
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
            setTimeout(() => c.kill("SIGKILL"), 5_000).unref();
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [name, port] of Object.entries(ports)) await waitForPort(port, 30_000, `swift ${name} server`);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  const endpoint = `http://127.0.0.1:${ports.proxy}`;
  return {
    endpoint,
    credentials: { AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey },
    blobUrl: (bucket, prefix = "") =>
      `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&path_style=true`,
    stop,
  };
}
