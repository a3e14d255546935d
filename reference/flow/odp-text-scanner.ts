/**
 * Character scanner for the datapath-flow text format, with the value
 * syntaxes lib/odp-util.c reads through ovs_scan(): C `%i` integers
 * (decimal, 0x hex, leading-0 octal, optional sign), dotted IPv4, IPv6
 * (inet_pton syntax), and colon-separated MAC addresses.
 *
 * Invariant: no method throws on any input; a failed scan returns `undefined`
 * and leaves the position unchanged, and `fail()` records the first error with
 * its 1-based line and column and the offending token.
 *
 * Left out on purpose: locale-dependent and `%n`-style partial matches that
 * OVS tolerates by accident (for example integer wrap-around in `%hhi`); we
 * reject out-of-range values instead.
 */

export interface OdpParseError {
  /** 1-based line number within the parsed text. */
  readonly line: number;
  /** 1-based column of the offending token. */
  readonly column: number;
  /** The offending text (up to the next delimiter), or '' at end of input. */
  readonly token: string;
  readonly message: string;
}

const TOKEN_END = /[,()=/ \t\r\n]/;

export class OdpScanner {
  pos = 0;
  error: OdpParseError | undefined;

  constructor(
    readonly text: string,
    readonly line = 1,
    /** Column of text[0] within its line, minus one. */
    readonly columnBase = 0,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** Consumes `s` if the text continues with it. */
  eat(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  /** Skips `, \t\r\n` (the delimiters of lib/odp-util.c). */
  skipDelimiters(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 44 && c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
      this.pos++;
    }
  }

  /** The token at `pos`: text up to the next delimiter, at least one character. */
  tokenAt(pos: number): string {
    const t = this.text;
    let end = pos;
    while (end < t.length && !TOKEN_END.test(t.charAt(end))) end++;
    if (end === pos && pos < t.length) end = pos + 1;
    return t.slice(pos, Math.min(end, pos + 60));
  }

  /** Records an error at `pos` (default: current position) unless one is already recorded; returns undefined. */
  fail(message: string, pos = this.pos): undefined {
    if (!this.error) {
      this.error = { line: this.line, column: this.columnBase + pos + 1, token: this.tokenAt(pos), message };
    }
    return undefined;
  }

  /** C `%i`: optional sign, 0x hex, leading-0 octal or decimal. Returns undefined without consuming on failure. */
  int(max = 0xffffffff): number | undefined {
    const t = this.text;
    let p = this.pos;
    let neg = false;
    if (t[p] === '+' || t[p] === '-') {
      neg = t[p] === '-';
      p++;
    }
    let radix = 10;
    let digits = '';
    if (t[p] === '0' && (t[p + 1] === 'x' || t[p + 1] === 'X') && /[0-9a-fA-F]/.test(t.charAt(p + 2))) {
      radix = 16;
      p += 2;
    } else if (t[p] === '0') {
      radix = 8;
    }
    const re = radix === 16 ? /[0-9a-fA-F]/ : radix === 8 ? /[0-7]/ : /[0-9]/;
    while (p < t.length && re.test(t.charAt(p)) && digits.length < 40) digits += t[p++];
    if (!digits) return undefined;
    let v = parseInt(digits, radix);
    if (neg) v = v === 0 ? 0 : max + 1 - v; // C's unsigned wrap of a negative literal
    if (!(v >= 0 && v <= max)) return undefined;
    this.pos = p;
    return v;
  }

  /** Unsigned decimal only (ovs_scan "%u"/PRIu32). */
  dec(max = 0xffffffff): number | undefined {
    const m = /^[0-9]{1,20}/.exec(this.text.slice(this.pos, this.pos + 21));
    if (!m) return undefined;
    const v = Number(m[0]);
    if (v > max) return undefined;
    this.pos += m[0].length;
    return v;
  }

  /** Unsigned hexadecimal without prefix requirement (ovs_scan "%x"; an optional 0x is accepted). */
  hex(max = 0xffffffff): number | undefined {
    const m = /^(?:0[xX])?([0-9a-fA-F]{1,16})/.exec(this.text.slice(this.pos, this.pos + 18));
    if (!m || m[1] === undefined) return undefined;
    const v = parseInt(m[1], 16);
    if (v > max) return undefined;
    this.pos += m[0].length;
    return v;
  }

  /** Dotted IPv4 address into 4 bytes. */
  ipv4(out: Uint8Array, offset: number): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/.exec(this.text.slice(this.pos, this.pos + 15));
    if (!m) return false;
    const parts = [m[1], m[2], m[3], m[4]].map(Number);
    if (parts.some((x) => x > 255)) return false;
    parts.forEach((x, i) => (out[offset + i] = x));
    this.pos += m[0].length;
    return true;
  }

  /** MAC address xx:xx:xx:xx:xx:xx (1 or 2 hex digits per byte) into 6 bytes. */
  mac(out: Uint8Array, offset: number): boolean {
    const m = /^([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})/.exec(
      this.text.slice(this.pos, this.pos + 17),
    );
    if (!m) return false;
    for (let i = 0; i < 6; i++) out[offset + i] = parseInt(m[i + 1] ?? '0', 16);
    this.pos += m[0].length;
    return true;
  }

  /** IPv6 address (the characters [0-9a-fA-F:.], as IPV6_SCAN_FMT) into 16 bytes. */
  ipv6(out: Uint8Array, offset: number): boolean {
    const m = /^[0-9a-fA-F:.]{2,46}/.exec(this.text.slice(this.pos, this.pos + 46));
    if (!m) return false;
    const bytes = parseIpv6(m[0]);
    if (!bytes) return false;
    out.set(bytes, offset);
    this.pos += m[0].length;
    return true;
  }
}

/** inet_pton(AF_INET6) equivalent; undefined when `s` is not an IPv6 address. */
export function parseIpv6(s: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::') && dbl >= 0) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const hw = head ? head.split(':') : [];
  const tw = tail ? tail.split(':') : [];
  const words: number[] = [];
  const tailWords: number[] = [];
  if (!pushGroups(hw, words, dbl < 0 && tw.length === 0) || !pushGroups(tw, tailWords, true)) return undefined;
  if (dbl >= 0 && hw.some((g) => g.includes('.'))) return undefined;
  const total = words.length + tailWords.length;
  if (dbl >= 0 ? total > 7 : total !== 8) return undefined;
  const all = [...words, ...new Array<number>(8 - total).fill(0), ...tailWords];
  all.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

function pushGroups(groups: string[], words: number[], lastMayBeV4: boolean): boolean {
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    if (i === groups.length - 1 && lastMayBeV4 && g.includes('.')) {
      const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(g);
      if (!m) return false;
      const p = [m[1], m[2], m[3], m[4]].map(Number);
      if (p.some((x) => x > 255)) return false;
      words.push(((p[0] ?? 0) << 8) | (p[1] ?? 0), ((p[2] ?? 0) << 8) | (p[3] ?? 0));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    words.push(parseInt(g, 16));
  }
  return true;
}
