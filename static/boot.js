// Starts the app: the CSP allows no inline script, so Trunk's injected loader is replaced by
// this module. app.js and app_bg.wasm are what Trunk builds from the `app` binary.
import init from './app.js';

init({ module_or_path: new URL('./app_bg.wasm', import.meta.url) }).catch((e) => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = 'ti-export could not start: this browser must support WebAssembly. (' + e + ')';
  document.body.append(p);
});
