package hardenedpg

import (
	"encoding/json"
)

// PolicyDocument is an IAM or KMS key policy built from typed values, so that a principal, an
// action or a condition cannot be misspelled into a wider grant.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of a PolicyDocument.
type PolicyStatement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    []string   `json:"Action"`
	Resource  []string   `json:"Resource,omitempty"`
	// Condition maps an operator (StringEquals, ArnLike, Bool) to condition keys and values.
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// Principal names who a statement applies to; there is deliberately no way to say "*".
type Principal struct {
	AWS     []string `json:"AWS,omitempty"`
	Service []string `json:"Service,omitempty"`
}

const policyVersion = "2012-10-17"

// JSON renders the document. Marshalling typed values cannot fail.
func (d PolicyDocument) JSON() string {
	if d.Version == "" {
		d.Version = policyVersion
	}
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	return string(b)
}
