import assert from "node:assert/strict";
import {
  deflatedHurdle,
  dsr,
  expectedMaxZ,
  minTrackRecord,
  noiseBestSharpe,
  nullSharpeStd,
  psr,
  psrZ,
} from "./sharpe_stats.ts";
import { returnMoments } from "./return_stats.ts";

function close(actual: number, expected: number, rel = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${actual} != ${expected} (rel ${
      Math.abs(actual - expected) / Math.abs(expected)
    })`,
  );
}

const ANN = Math.sqrt(525600);

Deno.test("E[max_N] matches the reference values", () => {
  close(expectedMaxZ(2), 0.5197553442805939);
  close(expectedMaxZ(10), 1.57459830134575);
  close(expectedMaxZ(100), 2.5306028932016846);
  close(expectedMaxZ(1000), 3.255121513652723);
  close(expectedMaxZ(10000), 3.86066485551044);
  assert.equal(expectedMaxZ(1), 0);
  assert.equal(deflatedHurdle(1, 0.5), 0);
});

Deno.test("example A: the paper's DSR", () => {
  const sr = 2.5 / Math.sqrt(250), v = 0.5 / 250;
  close(deflatedHurdle(100, v), 0.11317200186513214);
  close(
    psrZ(sr, deflatedHurdle(100, v), 1250, -3, 10),
    1.2838160365336546,
  );
  close(dsr(sr, 1250, -3, 10, 100, v), 0.9003968344493903);
});

Deno.test("example A': the 2012 PSR", () => {
  close(psr(0.458, 0, 24, -2.448, 10.164), 0.913361083860933);
});

Deno.test("example B: our units, MinTRL", () => {
  const sr = 12 / ANN, sd = 3 / ANN, v = sd * sd;
  close(sr, 0.016552117772047358);
  close(sd, 0.0041380294430118396);
  const sr0 = deflatedHurdle(1000, v);
  close(sr0, 0.013469788664076233);
  close(psrZ(sr, sr0, 43200, 0.8, 45), 0.6439442528609305);
  close(dsr(sr, 43200, 0.8, 45, 1000, v), 0.7401942078634062);
  close(psr(sr, 0, 43200, 0.8, 45), 0.9997278819594057);
  // Correlated trials: N_eff = rho + (1 - rho) M = 400.6 with rho = 0.6.
  close(deflatedHurdle(400.6, v) * ANN, 8.955782419740872);
  close(dsr(sr, 43200, 0.8, 45, 400.6, v), 0.8098212218069479);
  close(minTrackRecord(sr, 0, 0.8, 45), 9775.229761685736);
  close(minTrackRecord(sr, sr0, 0.8, 45), 281859.84252862976);
  assert.ok(Number.isNaN(minTrackRecord(sr0, sr, 0.8, 45)));
});

Deno.test("example C: a tiny pipeline from returns", () => {
  const r = Float64Array.from([
    0.010,
    -0.004,
    0.003,
    0.007,
    -0.006,
    0.012,
    -0.002,
    0.005,
    -0.008,
    0.009,
  ]);
  const mom = new Float64Array(3);
  returnMoments(r, r.length, mom, 0);
  assert.equal(mom[0], 10);
  close(mom[1]!, -0.19682823345852113);
  close(mom[2]!, 1.5724980581989296, 1e-12);
  const mean = r.reduce((a, b) => a + b) / r.length;
  const sd = Math.sqrt(
    r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1),
  );
  close(sd, 0.0071523112037687195);
  const sr = mean / sd;
  close(sr, 0.36351885788051275);
  const trials = [sr, 0.10, -0.05, 0.20, 0.02];
  const tm = trials.reduce((a, b) => a + b) / trials.length;
  const v = trials.reduce((a, b) => a + (b - tm) ** 2, 0) / (trials.length - 1);
  close(v, 0.02619418284417664);
  close(expectedMaxZ(5), 1.1925940010147893);
  close(deflatedHurdle(5, v), 0.19301677179952487);
  close(psr(sr, 0, 10, mom[1]!, mom[2]!), 0.8518362778945353);
  close(dsr(sr, 10, mom[1]!, mom[2]!, 5, v), 0.6878728540587384);
  close(minTrackRecord(sr, 0, mom[1]!, mom[2]!), 23.32605529238028);
});

Deno.test("noise alone: 3.49 per 30 days, best of 1000 near 11.4", () => {
  close(nullSharpeStd(43200, 525600), Math.sqrt(525600 / 43199));
  assert.equal(nullSharpeStd(43200, 525600).toFixed(2), "3.49");
  assert.equal(noiseBestSharpe(1000, 43200, 525600).toFixed(1), "11.4");
});

Deno.test("PSR is NaN where undefined", () => {
  assert.ok(Number.isNaN(psr(Infinity, 0, 100, 0, 3)));
  assert.ok(Number.isNaN(psr(0.1, 0, 1, 0, 3)));
  assert.ok(Number.isNaN(psr(0.1, 0, 100, NaN, 3)));
  assert.ok(Number.isNaN(dsr(0.1, 100, 0, 3, 10, -1)));
});
