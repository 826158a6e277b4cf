// Stands in for http2-wrapper in the CLI bundle (scripts/bundle-bin.mjs). got imports it at start-up but calls
// it only with its `http2: true` option, which md2wx never sets (WeChat's APIs answer HTTP/1.1); the real module
// and the `node:http2` built-in it loads cost ~10 ms of every start. Any use says what happened.
const unavailable = () => {
  throw new Error(
    "@md2wx/cli: got's `http2` option is not available in the bundled CLI (http2-wrapper is left out)",
  );
};
export default {
  auto: unavailable,
  get globalAgent() {
    return unavailable();
  },
};
