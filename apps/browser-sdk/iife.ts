import { journey } from './journey.ts';

declare global {
  interface Window {
    journey: typeof journey;
  }
}

window.journey = journey;

// `<script src=".../sdk.js" data-write-key="KEY">` needs no second script: the collector
// that served the file is the one to send to
const script = document.currentScript;
const writeKey = script instanceof HTMLScriptElement ? script.dataset.writeKey : undefined;
if (script instanceof HTMLScriptElement && writeKey !== undefined && writeKey !== '') {
  journey.init({ writeKey, host: new URL(script.src, location.href).origin });
}
