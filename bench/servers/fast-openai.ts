// A deliberately fast OpenAI Images upstream for the overhead benchmark: it checks the bearer
// token and answers every generations request with the same small PNG as `b64_json`, so what
// the benchmark measures is our path, not image rendering. FAKE_DELAY_MS holds every answer
// that long first, like a real model taking seconds (the concurrency scenario).
import { createServer } from "node:http";
import sharp from "sharp";

const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3366cc" } })
  .png()
  .toBuffer();
const body = Buffer.from(JSON.stringify({ created: 1_700_000_000, data: [{ b64_json: png.toString("base64") }] }));

const delayMs = Number(process.env.FAKE_DELAY_MS ?? 0);

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => (delayMs > 0 ? setTimeout(answer, delayMs) : answer()));
  function answer(): void {
    if (req.headers.authorization !== `Bearer ${process.env.FAKE_TOKEN}`) {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end('{"error":{"message":"bad key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  }
});
// Thousands of held requests at once: no per-server connection or request-timeout cap.
server.maxConnections = Infinity;
server.requestTimeout = 0;
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("ready\n"));
