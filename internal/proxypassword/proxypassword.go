// Package proxypassword gives each RDS Proxy user a new password without the password passing
// through Pulumi, its state, a log or SQL: it generates the password, puts it in the user's secret
// (which RDS Proxy reads), and writes the SQL that gives the database role the same password as a
// SCRAM-SHA-256 verifier, which PostgreSQL stores and checks as it is, and from which the
// password cannot be read back.
package proxypassword

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Iterations is PostgreSQL's default scram_iterations: what the server itself would use.
const Iterations = 4096

// passwordLength characters of 62 give 357 bits: no guess, and no verifier brute force, reaches
// it. Letters and digits only, so no client or connection string needs quoting.
const passwordLength = 60

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// userPattern is a proxy user's name as hardenedpg accepts it.
var userPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// SecretWriter is what Set needs of Secrets Manager.
type SecretWriter interface {
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

// Set puts a new password in each user's secret (users maps the database user to its secret's
// ARN, as the stack output proxySecretArns does) and writes to sql the statements that give each
// role that password, to run as the master user. The secret gets the keys RDS Proxy reads,
// username and password.
func Set(ctx context.Context, sm SecretWriter, users map[string]string, sql io.Writer) error {
	if err := CheckUsers(users); err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(users))
	var b strings.Builder
	b.WriteString("-- hardenedpg: passwords of the RDS Proxy users, as SCRAM-SHA-256 verifiers (never the password).\n")
	b.WriteString("-- Run as the master user: psql -v ON_ERROR_STOP=1 -f <this file>\nBEGIN;\n")
	var done []string
	// A secret changed without its SQL would lock the proxy out: what was put is always written.
	flush := func(cause error) error {
		if len(done) == 0 {
			return cause
		}
		b.WriteString("COMMIT;\n")
		if _, err := io.WriteString(sql, b.String()); err != nil {
			return errors.Join(cause, err)
		}
		if cause != nil {
			return fmt.Errorf("%w; the SQL written sets the new passwords of %s, whose secrets hold them already: run it", cause, strings.Join(done, ", "))
		}
		return nil
	}
	for _, user := range names {
		password, err := newPassword()
		if err != nil {
			return err
		}
		salt := make([]byte, 16) // PostgreSQL's SCRAM_DEFAULT_SALT_LEN
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		verifier, err := Verifier(password, salt, Iterations)
		if err != nil {
			return err
		}
		value, err := json.Marshal(map[string]string{"username": user, "password": password})
		if err != nil {
			return err
		}
		if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
			SecretId: aws.String(users[user]), SecretString: aws.String(string(value)),
		}); err != nil {
			return flush(fmt.Errorf("proxy user %s: putting the password in %s: %w", user, users[user], err))
		}
		role := `"` + user + `"` // the pattern leaves nothing to escape
		fmt.Fprintf(&b, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s LOGIN; END IF; END $$;\n", user, role)
		fmt.Fprintf(&b, "ALTER ROLE %s WITH LOGIN PASSWORD '%s';\n", role, verifier)
		done = append(done, user)
	}
	return flush(nil)
}

// CheckUsers refuses what Set would refuse before it writes anything: no user, or a name that
// is no proxy user's (the SQL quotes names it need not escape).
func CheckUsers(users map[string]string) error {
	if len(users) == 0 {
		return fmt.Errorf("no proxy users: want a map of database user to its secret's ARN, as the stack output proxySecretArns")
	}
	for _, user := range slices.Sorted(maps.Keys(users)) {
		if !userPattern.MatchString(user) {
			return fmt.Errorf("proxy user %q: want 1-63 lowercase letters, digits and underscores, starting with a letter or underscore", user)
		}
	}
	return nil
}

func newPassword() (string, error) {
	out := make([]byte, passwordLength)
	for i := range out {
		// A byte past the last whole multiple of the alphabet's size is drawn again, so every
		// character is equally likely.
		for {
			var one [1]byte
			if _, err := rand.Read(one[:]); err != nil {
				return "", err
			}
			if int(one[0]) < 256-256%len(alphabet) {
				out[i] = alphabet[int(one[0])%len(alphabet)]
				break
			}
		}
	}
	return string(out), nil
}

// Verifier is the SCRAM-SHA-256 verifier of password (RFC 5802 and 7677), in the form PostgreSQL
// stores in pg_authid and accepts in ALTER ROLE ... PASSWORD:
// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, base64. The password must need no
// SASLprep (ASCII letters and digits do not).
func Verifier(password string, salt []byte, iterations int) (string, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return "", err
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	storedKey := sha256.Sum256(mac(salted, "Client Key"))
	serverKey := mac(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(storedKey[:]), b64(serverKey)), nil
}
