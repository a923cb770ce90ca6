// The floor of any Node proxy, for memory per in-flight request (portkey-memory.ts): node:http in,
// one undici request to UPSTREAM out, the answer passed back. No routing, auth or bookkeeping.
import { createServer } from "node:http";
import { Agent, request } from "undici";

const upstream = process.env.UPSTREAM ?? "";
const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
const server = createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await request(`${upstream}${req.url}`, {
      method: "POST",
      dispatcher: agent,
      headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
      body: Buffer.concat(chunks),
    });
    const body = Buffer.from(await answer.body.arrayBuffer());
    res.writeHead(answer.statusCode, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  } catch {
    res.writeHead(502).end();
  }
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("ready\n"));
