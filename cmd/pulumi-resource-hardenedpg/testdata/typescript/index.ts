// A TypeScript program on the generated SDK: what the README shows a TypeScript user.
import * as pulumi from "@pulumi/pulumi";
import * as hardenedpg from "./sdk";

const config = new pulumi.Config();
const db = new hardenedpg.Database("orders", {
    instance: { identifier: "orders-ts", iamDatabaseUsers: ["orders_api"] },
    network: {
        vpcId: "vpc-0a1b2c3d4e5f60001",
        subnetIds: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"],
        allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f60021"],
    },
    logs: { destinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit" },
    // Webhook URLs and tag values are inputs: secrets from config.
    alerts: { emails: ["orders-oncall@example.com"], httpsEndpoints: [config.requireSecret("webhook")] },
    replication: { region: "eu-central-1" },
    tags: { environment: "prod", owner: config.requireSecret("owner") },
});

// Settings are plain, as in Go: an output where a plain value is wanted does not compile.
new hardenedpg.Database("wrong", {
    // @ts-expect-error identifier is a plain string
    instance: { identifier: pulumi.output("orders-ts") },
    network: { vpcId: "vpc-0a1b2c3d4e5f60001" },
});

export const endpoint: pulumi.Output<string> = db.endpoint;
export const connectPolicy: pulumi.Output<string> = db.connectPolicy;
