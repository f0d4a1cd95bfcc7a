/**
 * Decimal digits of binary floats: Python's repr() (shortest round-trip), and exact rounding
 * for numpy's printing, which caps or extends the shortest digits.
 */

/** |x| = 0.DIGITS × 10^decpt, DIGITS without leading or trailing zeros. */
export interface Digits {
  digits: string;
  decpt: number;
}

/** Shortest digits that read back as the same double (what Python's repr and JS both print). */
export function shortestDigits(x: number): Digits {
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e');
  return { digits: mantissa.replace('.', ''), decpt: Number(exponent) + 1 };
}

/**
 * Shortest digits that read back as the same float32. Trying each precision finds the nearest
 * n-digit decimal, which is the shortest round-trip one except, rarely, just below a power of 2.
 */
export function shortestDigitsFloat32(x: number): Digits {
  const a = Math.abs(x);
  for (let precision = 1; precision < 9; precision++) {
    const text = a.toExponential(precision - 1);
    if (Math.fround(Number(text)) === a) return digitsOf(text);
  }
  return digitsOf(a.toExponential(8));
}

function digitsOf(exponential: string): Digits {
  const [mantissa, exponent] = exponential.split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  return { digits, decpt: Number(exponent) + 1 };
}

/**
 * Python's `repr(float)`; without `addDotZero` it is the style complex numbers use (`2` not
 * `2.0`). numpy prints float32 scalars the same way from their own shortest `digits`.
 */
export function pyFloatRepr(x: number, addDotZero = true, shortest?: Digits): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return sign + (addDotZero ? '0.0' : '0');
  const { digits, decpt } = shortest ?? shortestDigits(x);
  if (decpt <= -4 || decpt > 16) {
    const exp = decpt - 1;
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}${addDotZero ? '.0' : ''}`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** |x| as an exact fraction numerator / denominator. */
function exactRatio(x: number): { numerator: bigint; denominator: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  return exponent >= 0 ? { numerator: mantissa << BigInt(exponent), denominator: 1n } : { numerator: mantissa, denominator: 1n << BigInt(-exponent) };
}

/**
 * |x| rounded to `fractionDigits` decimals (negative: to tens, hundreds …), ties to even, as
 * numpy's Dragon4 rounds at a cutoff.
 */
export function roundToFraction(x: number, fractionDigits: number): Digits {
  let { numerator, denominator } = exactRatio(x);
  if (fractionDigits >= 0) numerator *= 10n ** BigInt(fractionDigits);
  else denominator *= 10n ** BigInt(-fractionDigits);
  let q = numerator / denominator;
  const twice = (numerator % denominator) * 2n;
  if (twice > denominator || (twice === denominator && q % 2n === 1n)) q += 1n;
  if (q === 0n) return { digits: '0', decpt: 1 };
  const text = q.toString();
  return { digits: text.replace(/0+$/, ''), decpt: text.length - fractionDigits };
}

/** |x| rounded to `significant` digits, ties to even (x finite and non-zero). */
export function roundToSignificant(x: number, significant: number): Digits {
  const { numerator, denominator } = exactRatio(x);
  // The shortest digits' exponent can be one too high when they rounded up to a power of ten.
  let decpt = shortestDigits(x).decpt;
  const atLeast = (power: number): boolean =>
    power >= 0 ? numerator >= denominator * 10n ** BigInt(power) : numerator * 10n ** BigInt(-power) >= denominator;
  while (!atLeast(decpt - 1)) decpt--;
  while (atLeast(decpt)) decpt++;
  return roundToFraction(x, significant - decpt);
}
