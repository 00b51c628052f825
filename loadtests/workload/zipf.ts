/**
 * Zipfian ranks by rejection-inversion sampling (W. Hörmann and G. Derflinger, "Rejection-inversion to generate
 * variates from monotone discrete distributions", 1996): O(1) per draw for any number of elements, so the key
 * space can grow between draws. P(rank k) ∝ 1 / k^exponent for k in 1..n. Pure.
 */
import type { Random } from "../random.ts";

/** log1p(x)/x, continuous at 0. */
function log1pOverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x / 2;
}

/** expm1(x)/x, continuous at 0. */
function expm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x / 2;
}

export interface ZipfSampler {
  /** A rank in 1..n (1 is the most popular). */
  sample(n: number): number;
}

export function createZipfSampler(exponent: number, random: Random): ZipfSampler {
  const s = exponent;
  /** H(x) = ∫ x^-s, shifted so it is continuous in s (log x when s = 1). */
  const hIntegral = (x: number): number => {
    const logX = Math.log(x);
    return expm1OverX((1 - s) * logX) * logX;
  };
  const h = (x: number): number => Math.exp(-s * Math.log(x));
  const hIntegralInverse = (x: number): number => {
    let t = x * (1 - s);
    if (t < -1) t = -1; // numerical guard at the lower edge
    return Math.exp(log1pOverX(t) * x);
  };
  const hIntegralX1 = hIntegral(1.5) - 1;
  const squeeze = 2 - hIntegralInverse(hIntegral(2.5) - h(2));

  return {
    sample(n: number): number {
      if (n <= 1) return 1;
      const hIntegralN = hIntegral(n + 0.5);
      for (;;) {
        const u = hIntegralN + random.next() * (hIntegralX1 - hIntegralN);
        const x = hIntegralInverse(u);
        let k = Math.floor(x + 0.5);
        if (k < 1) k = 1;
        else if (k > n) k = n;
        if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) return k;
      }
    },
  };
}
