// What the end-to-end pages put on `window` (see e2e-pages.ts and demo/public/*.js).
import type { Courier } from "../../src/index";
import type { PageEvent } from "./e2e-page";

declare global {
  interface Window {
    courier: Courier;
    __events: PageEvent[];
    __ready?: boolean;
    __settled?: { ok: true; id: string } | { ok: false; reason: string };
    __marker?: string;
    __classes?: string[];
  }
}
export {};
