/** An IPv4 or IPv6 address as a number, so that ranges compare with `<=`. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** The inclusive address range a CIDR block covers. */
export interface IpRange {
  readonly family: 4 | 6;
  readonly low: bigint;
  readonly high: bigint;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | undefined {
  const octets = IPV4.exec(text)?.slice(1).map(Number);
  if (!octets || octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
}

function hexGroups(text: string): bigint[] | undefined {
  const groups: bigint[] = [];
  const parts = text === '' ? [] : text.split(':');
  for (const [i, part] of parts.entries()) {
    // An IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups.
    const ipv4 = i === parts.length - 1 && part.includes('.') ? parseIpv4(part) : undefined;
    if (ipv4 !== undefined) groups.push(ipv4 >> 16n, ipv4 & 0xffffn);
    else if (HEX_GROUP.test(part)) groups.push(BigInt(`0x${part}`));
    else return undefined;
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = hexGroups(halves[0]);
  const tail = halves.length === 2 ? hexGroups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | group, 0n);
}

/** Parses an IPv4 (`10.0.0.1`) or IPv6 (`2001:db8::1`) literal; `undefined` if `text` is neither. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/**
 * Parses a CIDR block such as `10.0.0.0/24` or `2001:db8::/32`.
 * @returns the range, or a sentence saying what is wrong with `text`.
 */
export function parseCidr(text: string): IpRange | string {
  const parts = text.split('/');
  if (parts.length !== 2) return `"${text}" is not a CIDR block: it needs exactly one "/" (e.g. "10.0.0.0/24")`;
  const address = parseIpAddress(parts[0]);
  if (!address) return `"${parts[0]}" in CIDR block "${text}" is not an IPv4 or IPv6 address`;
  const bits = address.family === 4 ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(parts[1]) ? Number(parts[1]) : NaN;
  if (!(prefix <= bits)) return `prefix length "${parts[1]}" in CIDR block "${text}" must be 0 to ${bits}`;
  const hostBits = BigInt(bits - prefix);
  const low = (address.value >> hostBits) << hostBits;
  return { family: address.family, low, high: low + (1n << hostBits) - 1n };
}

/** True if `text` is an IP address inside `range`. */
export function ipInRange(text: string, range: IpRange): boolean {
  const address = parseIpAddress(text);
  return address?.family === range.family && address.value >= range.low && address.value <= range.high;
}
