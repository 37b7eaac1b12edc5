// The Rails peer of the older tests and of bench row 7 is the gem's app (test/rails/gem, gem-app.ts):
// the names they import, kept.
export { railsAvailable } from "./puma";
export { startGemApp as startRailsPeer, type GemApp as RailsPeer, type GemStats as Stats } from "./gem-app";
