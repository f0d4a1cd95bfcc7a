/**
 * numpy's default float printing in arrays ('maxprec', precision 8, arrayprint's
 * FloatingFormat over Dragon4): one layout (positional or scientific, paddings) is chosen from
 * all the printed values, then every value is formatted with it.
 */
import { Digits, roundToFraction, roundToSignificant, shortestDigits, shortestDigitsFloat32 } from './floats';

const PRECISION = 8;

interface FloatLayout {
  exponential: boolean;
  precision: number;
  padLeft: number;
  padRight: number;
  expSize: number;
}

const ZERO: Digits = { digits: '0', decpt: 1 };
const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

/** Shortest digits, or rounded to `significant` digits when they need more. */
function uniqueCapped(x: number, unique: (x: number) => Digits, significant: number): Digits {
  if (x === 0) return ZERO;
  const digits = unique(x);
  return digits.digits.length <= significant ? digits : roundToSignificant(x, significant);
}

/** Shortest digits, or rounded to PRECISION decimals when they need more. */
function positionalDigits(x: number, unique: (x: number) => Digits): Digits {
  if (x === 0) return ZERO;
  const digits = unique(x);
  return digits.digits.length - digits.decpt <= PRECISION ? digits : roundToFraction(x, PRECISION);
}

/** `123.45`, `0.5`, `3.` (trailing zeros trimmed, the point kept). */
function positional(x: number, { digits, decpt }: Digits): string {
  const whole = decpt > 0 ? digits.slice(0, decpt).padEnd(decpt, '0') : '0';
  const fraction = decpt > 0 ? digits.slice(decpt) : '0'.repeat(-decpt) + digits;
  return `${signOf(x)}${whole}.${fraction.replace(/0+$/, '')}`;
}

/** `1.5e+10`; trimmed (`1.e-05`) or with exactly `precision` decimals. */
function scientific(x: number, { digits, decpt }: Digits, trim: boolean, expDigits: number, precision = 0): string {
  let fraction = digits.slice(1);
  fraction = trim ? fraction.replace(/0+$/, '') : fraction.padEnd(precision, '0');
  const exponent = digits === '0' ? 0 : decpt - 1;
  const expText = String(Math.abs(exponent)).padStart(Math.max(2, expDigits), '0');
  return `${signOf(x)}${digits[0]}.${fraction}e${exponent < 0 ? '-' : '+'}${expText}`;
}

/** The formatter for an array's float values (`values`: the ones that will be printed). */
export function floatFormatter(values: number[], float32: boolean): (x: number) => string {
  const unique = (x: number): Digits => (float32 ? shortestDigitsFloat32(x) : shortestDigits(x));
  const finite = values.filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  let exponential = false;
  if (nonZero.length) {
    const max = Math.max(...nonZero);
    const min = Math.min(...nonZero);
    // numpy divides in the array's own precision.
    const ratio = float32 ? Math.fround(max / min) : max / min;
    exponential = max >= 1e8 || min < 0.0001 || ratio > 1000;
  }
  const layout: FloatLayout = { exponential, precision: PRECISION, padLeft: 0, padRight: 0, expSize: -1 };
  if (finite.length && exponential) {
    const parts = finite.map((x) => scientific(x, uniqueCapped(x, unique, PRECISION + 1), true, -1));
    layout.expSize = Math.max(...parts.map((s) => s.length - s.indexOf('e') - 1)) - 1;
    layout.precision = Math.max(...parts.map((s) => s.indexOf('e') - s.indexOf('.') - 1));
    layout.padLeft = Math.max(...parts.map((s) => s.indexOf('.')));
    layout.padRight = layout.expSize + 2 + layout.precision;
  } else if (finite.length) {
    const parts = finite.map((x) => positional(x, positionalDigits(x, unique)));
    layout.padLeft = Math.max(...parts.map((s) => s.indexOf('.')));
    layout.padRight = Math.max(...parts.map((s) => s.length - s.indexOf('.') - 1));
  }
  if (finite.length !== values.length) {
    // Room for `nan`, `inf` and `-inf` right-aligned under the numbers.
    const negativeInf = values.some((v) => v === -Infinity);
    const offset = layout.padRight + 1;
    layout.padLeft = Math.max(layout.padLeft, 3 - offset, 3 + (negativeInf ? 1 : 0) - offset);
  }
  return (x) => {
    if (!Number.isFinite(x)) {
      const text = Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf';
      return text.padStart(layout.padLeft + layout.padRight + 1, ' ');
    }
    if (layout.exponential) {
      // The second pass prints exactly `precision` decimals, rounded from the exact value.
      const digits = x === 0 ? ZERO : roundToSignificant(x, layout.precision + 1);
      const text = scientific(x, digits, false, layout.expSize, layout.precision);
      return text.padStart(layout.padLeft + text.length - text.indexOf('.'), ' ');
    }
    const text = positional(x, positionalDigits(x, unique));
    const dot = text.indexOf('.');
    return text.padStart(layout.padLeft + text.length - dot, ' ').padEnd(layout.padLeft + 1 + layout.padRight, ' ');
  };
}
