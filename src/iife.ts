// The script-tag build (`window.CableCourier`): the whole public entry plus `useReflex`, which needs no
// copy of Stimulus (the page's controllers bring their own).
export * from "./index.js";
export { useReflex, register } from "./stimulus/use-reflex.js";
