// The floor of the floor: node:http answering a tiny JSON body, no framework.
import { createServer } from "node:http";

const body = Buffer.from('{"ok":true}');
const server = createServer((_, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("ready\n"));
