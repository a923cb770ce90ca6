import { isIP } from "node:net";

/**
 * Addresses the front never connects to on a client's behalf: loopback, private, CGNAT,
 * link-local (including the 169.254.169.254 metadata service), multicast, reserved, "this
 * network" (0.0.0.0/8), and the IPv6 forms that embed such an IPv4 address (mapped ::ffff:,
 * NAT64 64:ff9b::/96, 6to4 2002::/16). Anything that is not a literal address is refused too.
 */
export function isForbiddenAddress(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, "");
  const version = isIP(host);
  if (version === 4) return isForbiddenV4(v4Octets(host));
  if (version === 6) return isForbiddenV6(v6Words(host));
  return true;
}

function v4Octets(address: string): number[] {
  return address.split(".").map(Number);
}

function isForbiddenV4([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || // this network, 0.0.0.0
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 192 && b === 0 && c === 2) || // TEST-NET-1
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    a >= 224 // multicast, reserved, broadcast
  );
}

/** The eight 16-bit words of an IPv6 address (with "::" expanded and a dotted tail converted). */
function v6Words(address: string): number[] {
  let text = address.toLowerCase().split("%")[0] ?? "";
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = v4Octets(dotted[1] as string);
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part ? part.split(":").map((w) => parseInt(w, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

function embeddedV4(words: number[], at: number): number[] {
  const hi = words[at] ?? 0;
  const lo = words[at + 1] ?? 0;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function isForbiddenV6(w: number[]): boolean {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0] = w;
  const zeroPrefix = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  if (zeroPrefix && w5 === 0) return true; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
  if (zeroPrefix && w5 === 0xffff) return isForbiddenV4(embeddedV4(w, 6)); // ::ffff:a.b.c.d
  if (w0 === 0x64 && w1 === 0xff9b) return isForbiddenV4(embeddedV4(w, 6)); // NAT64
  if (w0 === 0x2002) return isForbiddenV4(embeddedV4(w, 1)); // 6to4
  if ((w0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7 (incl. fd00:ec2::254)
  if ((w0 & 0xffc0) === 0xfe80) return true; // link-local
  if ((w0 & 0xff00) === 0xff00) return true; // multicast
  if (w0 === 0x2001 && w1 === 0x0db8) return true; // documentation
  return false;
}
