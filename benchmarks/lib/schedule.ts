/**
 * The order of a run. Rounds are interleaved (round 1 of every scenario and
 * target, then round 2...) and the targets' order rotates each round, so that
 * drift on a noisy machine, and being first after a build, hit every target
 * alike.
 * @module
 */

export interface Slot {
  readonly round: number;
  readonly scenario: string;
  readonly target: string;
}

export function schedule(rounds: number, scenarios: readonly string[], targets: readonly string[]): Slot[] {
  const slots: Slot[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      for (let i = 0; i < targets.length; i++) {
        slots.push({ round, scenario, target: targets[(i + round - 1) % targets.length]! });
      }
    }
  }
  return slots;
}
