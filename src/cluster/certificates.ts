/**
 * The server's TLS identity, made fresh for each server: a certificate authority of its own and
 * a serving certificate it signed, for 127.0.0.1, ::1 and localhost. The kubeconfig the server
 * writes pins that authority, so clients verify the server as they verify a real one.
 *
 * Why TLS at all on loopback: the token must reach the server, and kubectl (client-go) reads a
 * kubeconfig's credentials only when the server is https ("only try to read the auth
 * information if we are secure"); over plain http it would send no token and be refused.
 *
 * Node can sign but not build certificates, so the X.509 structures are written here in DER
 * (ITU-T X.690) — only what RFC 5280 needs for these two certificates, with P-256 ECDSA keys.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isIP } from "node:net";

export interface TlsIdentity {
  /** The authority's certificate (PEM): what clients trust. */
  readonly ca: string;
  /** The serving certificate (PEM) and its private key (PEM), for https.createServer. */
  readonly cert: string;
  readonly key: string;
}

/** A fresh authority and a serving certificate for the loopback names and `extraHost` (the address listened on). */
export function newTlsIdentity(extraHost?: string): TlsIdentity {
  const now = Date.now();
  const validity = { from: new Date(now - 3600_000), until: new Date(now + 365 * 24 * 3600_000) }; // an hour back: clocks drift
  const authority = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const authorityId = keyIdentifier(authority.publicKey);
  const ca = certificate({
    subject: "ko cluster CA",
    issuer: "ko cluster CA",
    validity,
    publicKey: authority.publicKey,
    signer: authority.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, seq(bool(true))),
      extension(OID.keyUsage, true, keyUsage(KEY_CERT_SIGN | CRL_SIGN)),
      extension(OID.subjectKeyIdentifier, false, octets(authorityId)),
    ],
  });
  const server = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const names = ["127.0.0.1", "::1", "localhost", ...(extraHost && !["0.0.0.0", "::"].includes(extraHost) ? [extraHost] : [])];
  const cert = certificate({
    subject: "ko cluster",
    issuer: "ko cluster CA",
    validity,
    publicKey: server.publicKey,
    signer: authority.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      extension(OID.keyUsage, true, keyUsage(DIGITAL_SIGNATURE)),
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, seq(...[...new Set(names)].map(altName))),
      extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(server.publicKey))),
      extension(OID.authorityKeyIdentifier, false, seq(tagged(0x80, authorityId))),
    ],
  });
  return {
    ca: pem("CERTIFICATE", ca),
    cert: pem("CERTIFICATE", cert),
    key: server.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
  };
}

const OID = {
  commonName: "2.5.4.3",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

// Key usage bits, numbered from the most significant bit of the first byte (RFC 5280 4.2.1.3).
const DIGITAL_SIGNATURE = 0x80;
const KEY_CERT_SIGN = 0x04;
const CRL_SIGN = 0x02;

interface CertificateSpec {
  readonly subject: string;
  readonly issuer: string;
  readonly validity: { readonly from: Date; readonly until: Date };
  readonly publicKey: KeyObject;
  readonly signer: KeyObject;
  readonly extensions: readonly Buffer[];
}

/** A signed X.509 v3 certificate, DER. */
function certificate(c: CertificateSpec): Buffer {
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x3f) | 0x40; // positive, and no leading zero byte to strip
  const tbs = seq(
    tagged(0xa0, integer(Buffer.from([2]))), // version 3
    integer(serial),
    algorithm,
    name(c.issuer),
    seq(time(c.validity.from), time(c.validity.until)),
    name(c.subject),
    c.publicKey.export({ type: "spki", format: "der" }),
    tagged(0xa3, seq(...c.extensions)),
  );
  return seq(tbs, algorithm, bitString(sign("sha256", tbs, c.signer)));
}

/** The key identifier of RFC 5280 4.2.1.2 (1): SHA-1 of the public key's bits. */
function keyIdentifier(key: KeyObject): Buffer {
  const spki = key.export({ type: "spki", format: "der" });
  // The subjectPublicKey BIT STRING ends the SubjectPublicKeyInfo; for P-256 it is 65 bytes after its unused-bits byte.
  return createHash("sha1")
    .update(spki.subarray(spki.length - 65))
    .digest();
}

const extension = (id: string, critical: boolean, value: Buffer) =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));

/** A key usage BIT STRING: its trailing zero bits are not encoded (DER). */
function keyUsage(bits: number): Buffer {
  let unused = 0;
  while (unused < 7 && !(bits & (1 << unused))) unused++;
  return tlv(0x03, Buffer.from([unused, bits]));
}

/** A subjectAltName entry: iPAddress [7] for addresses, dNSName [2] for names. */
function altName(host: string): Buffer {
  if (isIP(host) === 4) return tagged(0x87, Buffer.from(host.split(".").map(Number)));
  if (isIP(host) === 6) return tagged(0x87, ipv6Bytes(host));
  return tagged(0x82, Buffer.from(host, "ascii"));
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const front = groups(head);
  const back = groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

const name = (commonName: string) => seq(tlv(0x31, seq(oid(OID.commonName), tlv(0x0c, Buffer.from(commonName, "utf8")))));

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const digits = d.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const bytes = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const base128 = [arc & 0x7f];
    for (let rest = arc >>> 7; rest > 0; rest >>>= 7) base128.unshift((rest & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const integer = (bytes: Buffer) => tlv(0x02, bytes);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const octets = (bytes: Buffer) => tlv(0x04, bytes);
const bitString = (bytes: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
/** A context-specific tag: 0xa0+n constructed (explicit), 0x80+n primitive (implicit). */
const tagged = (tag: number, content: Buffer) => tlv(tag, content);

/** Tag, length (short form below 128, long form above), value. */
function tlv(tag: number, value: Buffer): Buffer {
  const n = value.length;
  const length =
    n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), value]);
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g)!;
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
