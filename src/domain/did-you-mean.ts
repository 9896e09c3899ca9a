/** Suggestions for mistyped words: "did you mean …" in command answers. */

/** The candidate the word most likely meant: one it abbreviates, or one within a couple of typos. */
export function closest<T extends string>(word: string, candidates: readonly T[]): T | null {
  if (word.length >= 2) {
    const prefixed = candidates.filter((candidate) => candidate.startsWith(word));
    if (prefixed.length === 1) return prefixed[0]!;
  }
  // Long words are not typos of short keywords, and the distance costs length².
  if (word.length > 40) return null;
  const limit = word.length <= 4 ? 1 : 2;
  let best: T | null = null;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `cap`) once it cannot be below `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    if (Math.min(...current) >= cap) return cap;
    previous = current;
  }
  return Math.min(previous[b.length]!, cap);
}
