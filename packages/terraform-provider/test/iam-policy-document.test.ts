/**
 * data "aws_iam_policy_document" computed in the provider, byte for byte as hashicorp/aws writes it:
 * the expected documents are hashicorp/aws's own acceptance-test expectations (its
 * policy_document_data_source_test.go), as its 5.x/6.x model prints them (an empty Sid is left out).
 */
import { describe, expect, it } from "vitest";
import { stringHashcode } from "../src/resources/common.ts";
import {
  normalizeJson,
  type PolicyDocumentConfig,
  policiesEquivalent,
  policyDocument,
  policyToSet,
} from "../src/resources/iam-policy-json.ts";

const stmt = (s: Partial<NonNullable<PolicyDocumentConfig["statement"]>[number]>) => ({
  sid: null,
  effect: "Allow",
  actions: null,
  not_actions: null,
  resources: null,
  not_resources: null,
  principals: null,
  not_principals: null,
  condition: null,
  ...s,
});

const basic: PolicyDocumentConfig = {
  version: null,
  policy_id: "policy_id",
  statement: [
    stmt({ sid: "1", actions: ["s3:GetBucketLocation", "s3:ListAllMyBuckets"], resources: ["arn:aws:s3:::*"] }),
    stmt({
      actions: ["s3:ListBucket"],
      resources: ["arn:aws:s3:::foo"],
      condition: [{ test: "StringLike", variable: "s3:prefix", values: ["home/", "", "home/&{aws:username}/"] }],
      not_principals: [{ type: "AWS", identifiers: ["arn:blahblah:example"] }],
    }),
    stmt({
      actions: ["s3:*"],
      resources: ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"],
      principals: [{ type: "AWS", identifiers: ["arn:blahblah:example"] }],
    }),
    stmt({ effect: "Deny", not_actions: ["s3:*"], not_resources: ["arn:aws:s3:::*"] }),
    stmt({ actions: ["kinesis:*"], principals: [{ type: "AWS", identifiers: ["*"] }] }),
    stmt({ actions: ["firehose:*"], principals: [{ type: "*", identifiers: ["*"] }] }),
  ],
};

const basicJson = `{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/\${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/\${aws:username}/*",
        "arn:aws:s3:::foo/home/\${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}`;

describe("data aws_iam_policy_document", () => {
  it("writes hashicorp/aws's document: field order, reverse-sorted sets, &{…} variables, wildcard principals, id = hash of json", () => {
    const out = policyDocument(basic);
    expect(out.json).toBe(basicJson);
    expect(out.minified).toBe(JSON.stringify(JSON.parse(basicJson)));
    expect(out.id).toBe(String(stringHashcode(basicJson)));
  });

  it("the EC2 trust policy every instance role starts from", () => {
    const out = policyDocument({
      statement: [
        stmt({ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }),
      ],
    });
    expect(out.json).toBe(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "ec2.amazonaws.com"
      }
    }
  ]
}`);
    expect(out.minified).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}',
    );
  });

  it("merges source documents, then its statements (a Sid replaces its namesake), then overrides; Go's HTML escaping", () => {
    const source = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "keep", Effect: "Allow", Action: ["ec2:Describe*"], Resource: "*" },
        { Sid: "replaced", Effect: "Allow", Action: "s3:*", Resource: "*" },
      ],
    });
    const override = JSON.stringify({
      Statement: [
        {
          Sid: "replaced",
          Effect: "Deny",
          Action: "s3:DeleteBucket",
          Resource: "*",
          Condition: { Bool: { "aws:SecureTransport": false } },
        },
      ],
    });
    const out = policyDocument({
      source_policy_documents: [source],
      override_policy_documents: [override],
      statement: [
        stmt({ sid: "mine", actions: ["logs:PutLogEvents"], resources: ["arn:aws:logs:*:*:log-group:<app>&more"] }),
      ],
    });
    expect(JSON.parse(out.json).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["keep", "replaced", "mine"]);
    expect(JSON.parse(out.json).Statement[1]).toEqual({
      Sid: "replaced",
      Effect: "Deny",
      Action: "s3:DeleteBucket",
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    // A source's list stays a list (its own order); <, > and & are escaped as Go escapes them.
    expect(out.json).toContain('"Action": [\n        "ec2:Describe*"\n      ]');
    expect(out.json).toContain("log-group:\\u003capp\\u003e\\u0026more");
    expect(() => policyDocument({ source_policy_documents: [source, source] })).toThrow(
      /duplicate Sid \(keep\) in source_policy_documents/,
    );
    expect(() => policyDocument({ statement: [stmt({ sid: "a" }), stmt({ sid: "a" })] })).toThrow(
      /duplicate Sid \(a\)/,
    );
    expect(() =>
      policyDocument({ version: "2008-10-17", statement: [stmt({ resources: ["arn:aws:s3:::&{aws:username}"] })] }),
    ).toThrow(
      /found &\{ sequence in \(arn:aws:s3:::&\{aws:username\}\), which is not supported in document version 2008-10-17/,
    );
  });

  it("principals of one type from several blocks merge; condition values of one key merge; single values become strings", () => {
    const out = JSON.parse(
      policyDocument({
        statement: [
          stmt({
            actions: ["sts:AssumeRole"],
            principals: [
              { type: "AWS", identifiers: ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"] },
              { type: "Service", identifiers: ["ec2.amazonaws.com"] },
            ],
            condition: [
              { test: "StringEquals", variable: "sts:ExternalId", values: ["x"] },
              { test: "StringEquals", variable: "aws:PrincipalTag/team", values: ["a", "b"] },
            ],
          }),
        ],
      }).json,
    );
    expect(out.Statement[0].Principal).toEqual({
      AWS: ["arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:root"],
      Service: "ec2.amazonaws.com",
    });
    expect(Object.keys(out.Statement[0].Condition.StringEquals)).toEqual(["aws:PrincipalTag/team", "sts:ExternalId"]);
    expect(out.Statement[0].Condition.StringEquals["sts:ExternalId"]).toBe("x");
  });
});

describe("policy equivalence (what never shows as a change)", () => {
  it("formatting, key order, a value or a list of one, statement order and action case do not matter", () => {
    const a =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
    const b = `{
      "Statement": [{ "Action": ["STS:AssumeRole"], "Principal": { "Service": ["ec2.amazonaws.com"] }, "Effect": "Allow" }],
      "Version": "2012-10-17"
    }`;
    expect(policiesEquivalent(a, b)).toBe(true);
    expect(policiesEquivalent(a, a.replace("Allow", "Deny"))).toBe(false);
    expect(policiesEquivalent(a, "not json")).toBe(false);
    expect(policyToSet(b, a)).toBe(b);
    expect(policyToSet(a.replace("ec2", "ecs"), a)).toBe(a);
    expect(normalizeJson(b)).toBe(
      '{"Statement":[{"Action":["STS:AssumeRole"],"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]}}],"Version":"2012-10-17"}',
    );
  });
});
