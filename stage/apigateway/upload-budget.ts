/**
 * A cap on request bytes held in memory at once across every request of a server. Each request body is
 * buffered whole (API Gateway hands the function the whole body), so without it a hundred concurrent 10 MB
 * uploads hold a gigabyte. A request whose bytes do not fit is refused (429) instead of buffered.
 */
export class UploadBudget {
  private usedBytes = 0;
  constructor(readonly capBytes: number) {}

  /** Takes `bytes` from the budget; false (nothing taken) when they do not fit. */
  take(bytes: number): boolean {
    if (this.usedBytes + bytes > this.capBytes) return false;
    this.usedBytes += bytes;
    return true;
  }

  give(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }

  get inUseBytes(): number {
    return this.usedBytes;
  }
}
