/** Token estimate used everywhere in the emulator: ceil(chars / 4), like the contract suggests (§15.15). */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The longest prefix of `text` that fits in `tokens` tokens. */
export function truncateToTokens(text: string, tokens: number): string {
  return Array.from(text).slice(0, Math.max(0, tokens) * 4).join('');
}
