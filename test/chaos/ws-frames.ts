// Reads the server → client half of a WebSocket connection: the HTTP 101 head, then unmasked frames.
// The fault proxy uses it to recognise one ActionCable message (an ack) and cut the socket around it.
export interface Frame {
  /** The frame's bytes exactly as received, to forward unchanged. */
  bytes: Buffer;
  /** The payload as text for text frames, "" otherwise. */
  text: string;
}

export class ServerFrames {
  private buffer = Buffer.alloc(0);
  private headDone = false;

  /** Feeds a chunk; returns the head (once) and every frame completed by it, in order. */
  push(chunk: Buffer): Frame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: Frame[] = [];
    if (!this.headDone) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return out;
      out.push({ bytes: this.buffer.subarray(0, end + 4), text: "" });
      this.buffer = this.buffer.subarray(end + 4);
      this.headDone = true;
    }
    for (let frame = this.take(); frame; frame = this.take()) out.push(frame);
    return out;
  }

  private take(): Frame | undefined {
    const b = this.buffer;
    if (b.length < 2) return undefined;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let length = b[1] & 0x7f;
    let at = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      length = Number(b.readBigUInt64BE(2));
      at = 10;
    }
    if (masked) at += 4;
    if (b.length < at + length) return undefined;
    const bytes = b.subarray(0, at + length);
    this.buffer = b.subarray(at + length);
    return { bytes, text: opcode === 1 && !masked ? bytes.subarray(at).toString("utf8") : "" };
  }
}
