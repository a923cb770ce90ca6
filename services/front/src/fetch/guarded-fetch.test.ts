import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isForbiddenAddress } from "./address-policy.ts";
import { FetchRefused, guardedFetch } from "./guarded-fetch.ts";

// A dual-stack listener (127.0.0.1 and ::1 both reach it) that records every connection: a
// refused URL must never reach it.
let server: Server;
let port: number;
const connections: string[] = [];
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d0a9c40000000049454e44ae426082",
  "hex",
);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/redirect-to-loopback") {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/image.png` }).end();
      return;
    }
    if (req.url === "/big") {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(Buffer.alloc(4096));
      return;
    }
    res.writeHead(200, { "content-type": "image/png" }).end(PNG);
  });
  server.on("connection", (socket) => connections.push(String(socket.remotePort)));
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "::", ipv6Only: false }, resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const limits = { maxBytes: 1024, timeoutMs: 5000 };

describe("guardedFetch refuses internal targets without connecting to them", () => {
  it.each([
    ["loopback IPv4", () => `http://127.0.0.1:${port}/image.png`],
    ["loopback IPv6", () => `http://[::1]:${port}/image.png`],
    ["IPv4-mapped loopback", () => `http://[::ffff:127.0.0.1]:${port}/image.png`],
    ["decimal loopback", () => `http://2130706433:${port}/image.png`],
    ["hex loopback", () => `http://0x7f000001:${port}/image.png`],
    ["short loopback", () => `http://127.1:${port}/image.png`],
    ["localhost by name", () => `http://localhost:${port}/image.png`],
    ["private 10/8", () => `http://10.0.0.1:${port}/image.png`],
    ["metadata service", () => "http://169.254.169.254/latest/meta-data/"],
    ["this network", () => `http://0.0.0.0:${port}/image.png`],
    ["file scheme", () => "file:///etc/passwd"],
    ["gopher scheme", () => `gopher://127.0.0.1:${port}/_x`],
  ])("%s", async (_name, url) => {
    const before = connections.length;
    await expect(guardedFetch(url(), limits)).rejects.toBeInstanceOf(FetchRefused);
    expect(connections.length).toBe(before);
  });

  it("re-checks a redirect and refuses one that points at loopback, never following it", async () => {
    // The first hop is allowed by host:port; the redirect target is the same listener by a
    // different name (127.0.0.1 vs localhost), which the allow list does not cover.
    const allowHosts = new Set([`localhost:${port}`]);
    const before = connections.length;
    await expect(
      guardedFetch(`http://localhost:${port}/redirect-to-loopback`, { ...limits, allowHosts }),
    ).rejects.toThrow(/not a public address/);
    expect(connections.length).toBe(before + 1);
  });

  it("fetches from a host the operator allowed, within the size cap", async () => {
    const allowHosts = new Set([`127.0.0.1:${port}`]);
    const before = connections.length;
    const { bytes } = await guardedFetch(`http://127.0.0.1:${port}/image.png`, { ...limits, allowHosts });
    expect(bytes.equals(PNG)).toBe(true);
    expect(connections.length).toBe(before + 1); // the recorder does see real connections
    await expect(guardedFetch(`http://127.0.0.1:${port}/big`, { ...limits, allowHosts })).rejects.toThrow(
      /larger than 1024 bytes/,
    );
  });
});

describe("isForbiddenAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["172.32.0.1", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["255.255.255.255", true],
    ["8.8.8.8", false],
    ["::1", true],
    ["::", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["::ffff:8.8.8.8", false],
    ["64:ff9b::a9fe:a9fe", true],
    ["2002:7f00:1::", true],
    ["fd00:ec2::254", true],
    ["fe80::1", true],
    ["ff02::1", true],
    ["2606:4700::1111", false],
    ["not-an-ip", true],
  ])("%s → %s", (address, forbidden) => {
    expect(isForbiddenAddress(address)).toBe(forbidden);
  });
});
