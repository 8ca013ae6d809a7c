package baseline

import (
	"slices"
	"strings"
)

// iamControls are the controls of the stack's IAM policies, each with its check.
var iamControls = []Control{
	{Key: "iam-no-kms-star", Title: "No IAM policy allows kms:Decrypt or kms:ReEncryptFrom on *", Severity: Medium, Reads: []string{TypeRole, TypeRolePolicy, TypePolicy},
		Refs: Refs{SecurityHub: []string{"KMS.1", "KMS.2"}},
		check: func(g *Graph) finding {
			f := finding{holds: "no IAM policy of the stack allows kms:Decrypt or kms:ReEncryptFrom on *"}
			actionsOnAnyResource(g, &f, func(r Resource, action string) {
				if slices.Contains([]string{"*", "kms:*", "kms:decrypt", "kms:reencryptfrom", "kms:reencrypt*", "kms:decrypt*"}, strings.ToLower(action)) {
					f.fail("%s: allows %s on *", r.Name, action)
				}
			})
			return f
		},
	},
	{Key: "iam-scoped-writes", Title: "No IAM policy of the stack allows a write action on *", Severity: High, Reads: []string{TypeRole, TypeRolePolicy, TypePolicy},
		Refs: Refs{Checkov: []string{"CKV_AWS_290", "CKV_AWS_355"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every write action in the stack's IAM policies names its resources"}
			actionsOnAnyResource(g, &f, func(r Resource, action string) {
				if !isReadOnly(action) {
					f.fail("%s: allows %s on *", r.Name, action)
				}
			})
			return f
		},
	},
}
