/** Bit writers: MSB-first (JPEG, AAC, FLAC) and LSB-first (WebP VP8L). */

export class MsbBitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private count = 0;

  /** Writes the low `n` bits of `value`, most significant first. */
  write(value: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      if (++this.count === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.count = 0;
      }
    }
  }

  /** Pads the last byte with `fill` bits (JPEG pads with 1s) and returns the bytes. */
  finish(fill: 0 | 1 = 0): number[] {
    while (this.count !== 0) this.write(fill, 1);
    return this.bytes;
  }
}

export class LsbBitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private count = 0;

  write(value: number, n: number): void {
    for (let i = 0; i < n; i++) {
      this.acc |= ((value >>> i) & 1) << this.count;
      if (++this.count === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.count = 0;
      }
    }
  }

  finish(): number[] {
    if (this.count > 0) this.bytes.push(this.acc);
    this.acc = 0;
    this.count = 0;
    return this.bytes;
  }
}
