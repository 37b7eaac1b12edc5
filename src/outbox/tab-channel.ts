// Tabs announce their clientId on a BroadcastChannel, so a tab already open can queue for the Web Lock
// of a tab opened after it and adopt its reflexes the moment it closes. Feature-detected: without it,
// tabs still learn of each other from the client metas in IndexedDB when they load or reconnect.
import type { Logger } from "../core/logger.js";

export const CHANNEL_NAME = "cable-courier";

interface Announcement {
  /** `start`: a tab just opened (others answer `here`); `here`: a tab's current clientId. */
  kind: "start" | "here";
  identity: string;
  clientId: string;
}

const isAnnouncement = (data: unknown): data is Announcement => {
  const value = data as Partial<Announcement> | null;
  return (
    typeof value === "object" && value !== null && (value.kind === "start" || value.kind === "here") &&
    typeof value.identity === "string" && typeof value.clientId === "string" && value.clientId.length > 0 && value.clientId.length <= 100
  );
};

export class TabChannel {
  private channel: BroadcastChannel | undefined;

  constructor(
    private readonly identity: string,
    private readonly ownClientId: () => string,
    private readonly heard: (clientId: string) => void,
    private readonly logger: Logger,
  ) {}

  open(): void {
    if (this.channel || typeof BroadcastChannel !== "function") return;
    try {
      this.channel = new BroadcastChannel(CHANNEL_NAME);
    } catch (error) {
      return this.logger.log("debug", "outbox: no BroadcastChannel; tabs learn of each other on load only", error);
    }
    this.channel.onmessage = (event: MessageEvent) => this.receive(event.data);
    this.announce("start");
  }

  announce(kind: Announcement["kind"] = "here"): void {
    const clientId = this.ownClientId();
    if (!this.channel || !clientId) return;
    try {
      this.channel.postMessage({ kind, identity: this.identity, clientId } satisfies Announcement);
    } catch (error) {
      this.logger.log("debug", "outbox: could not announce our clientId", error);
    }
  }

  close(): void {
    this.channel?.close();
    this.channel = undefined;
  }

  private receive(data: unknown): void {
    // Another identity's tabs are not ours to adopt from; anything malformed is not from a courier.
    if (!isAnnouncement(data) || data.identity !== this.identity) return;
    this.heard(data.clientId);
    if (data.kind === "start") this.announce("here");
  }
}
