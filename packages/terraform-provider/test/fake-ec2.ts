// A tiny stand-in for the ec2sim EC2 endpoint, for tests only: key pairs and the default security
// group (the account ID), in EC2 Query XML. The real server replaces it in end-to-end suites.
import { createServer, type Server } from "node:http";

const NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
export const FAKE_ACCOUNT = "111122223333";

export interface FakeEc2 {
  endpoint: string;
  calls: string[];
  keys: Map<string, { id: string; fingerprint: string; material: string }>;
  close(): Promise<void>;
}

export async function startFakeEc2(): Promise<FakeEc2> {
  const calls: string[] = [];
  const keys = new Map<string, { id: string; fingerprint: string; material: string }>();
  let seq = 0;
  const ok = (action: string, body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}"><requestId>req-${++seq}</requestId>${body}</${action}Response>`;
  const fail = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-${++seq}</RequestID></Response>`;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      const p = new URLSearchParams(raw);
      const action = p.get("Action") ?? "";
      calls.push(action);
      const send = (status: number, xml: string) => {
        res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": `req-${seq}` });
        res.end(xml);
      };
      const listed = [...p.entries()].filter(([k]) => /^KeyName\.\d+$/.test(k)).map(([, v]) => v);
      switch (action) {
        case "ImportKeyPair": {
          const name = p.get("KeyName")!;
          if (keys.has(name)) return send(400, fail("InvalidKeyPair.Duplicate", `The keypair already exists`));
          const k = { id: `key-${String(++seq).padStart(17, "0")}`, fingerprint: "aa:bb:cc", material: Buffer.from(p.get("PublicKeyMaterial") ?? "", "base64").toString() };
          keys.set(name, k);
          return send(200, ok(action, `<keyName>${name}</keyName><keyFingerprint>${k.fingerprint}</keyFingerprint><keyPairId>${k.id}</keyPairId>`));
        }
        case "DescribeKeyPairs": {
          const names = listed.length ? listed : [...keys.keys()];
          const missing = names.find((n) => !keys.has(n));
          if (missing) return send(400, fail("InvalidKeyPair.NotFound", `The key pair '${missing}' does not exist`));
          const items = names.map((n) => `<item><keyPairId>${keys.get(n)!.id}</keyPairId><keyName>${n}</keyName><keyFingerprint>aa:bb:cc</keyFingerprint><keyType>ed25519</keyType><tagSet/></item>`);
          return send(200, ok(action, `<keySet>${items.join("")}</keySet>`));
        }
        case "DeleteKeyPair":
          keys.delete(p.get("KeyName") ?? "");
          return send(200, ok(action, `<return>true</return>`));
        case "DescribeSecurityGroups":
          return send(200, ok(action, `<securityGroupInfo><item><ownerId>${FAKE_ACCOUNT}</ownerId><groupId>sg-0default</groupId><groupName>default</groupName><groupDescription>default VPC security group</groupDescription><vpcId>vpc-1</vpcId><ipPermissions/><ipPermissionsEgress/><tagSet/></item></securityGroupInfo>`));
        default:
          return send(400, fail("InvalidAction", `The action ${action} is not valid for this web service.`));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    keys,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
