/** Counts /v1 requests; a request is in flight from arrival until its response ends or its socket closes. */
import type { EmulatorStats } from './types';

export class RequestStats {
  private total = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private connections = 0;

  connected(): void {
    this.connections += 1;
  }

  /** Returns the function that marks this request as done (idempotent). */
  arrive(): () => void {
    this.total += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight -= 1;
    };
  }

  snapshot(): EmulatorStats {
    return { total: this.total, inFlight: this.inFlight, maxInFlight: this.maxInFlight, connections: this.connections };
  }

  /** In-flight requests keep counting after a reset, so the counter never goes negative. */
  reset(): void {
    this.total = 0;
    this.maxInFlight = this.inFlight;
    this.connections = 0;
  }
}
