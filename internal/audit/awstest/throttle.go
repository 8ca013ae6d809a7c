package awstest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// Throttler stands in front of a server and answers every n-th request with the throttling error
// of the request's protocol, as AWS does at fleet size; the rest pass through.
type Throttler struct {
	URL string
	// Throttled counts the requests it refused.
	Throttled atomic.Int64
	seen      atomic.Int64
}

// Throttle starts a Throttler in front of target (a server's URL) on a loopback port, stopped
// when the test ends.
func Throttle(t testing.TB, target string, every int64) *Throttler {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	th := &Throttler{}
	proxy := httputil.NewSingleHostReverseProxy(to)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if th.seen.Add(1)%every != 0 {
			proxy.ServeHTTP(w, r)
			return
		}
		th.Throttled.Add(1)
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Header.Get("X-Amz-Target") != "": // JSON protocols: KMS, Logs, EventBridge, Secrets Manager
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
		case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
			form, _ := url.ParseQuery(string(body))
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusBadRequest)
			if form.Get("Version") == "2016-11-15" { // EC2's own error document
				_, _ = io.WriteString(w, `<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>throttled</RequestID></Response>`)
				return
			}
			_, _ = io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>throttled</RequestId></ErrorResponse>`)
		default: // REST protocols: Backup
			w.Header().Set("X-Amzn-Errortype", "ThrottlingException")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.Copy(io.Discard, bytes.NewReader(body))
			_, _ = io.WriteString(w, `{"message":"Rate exceeded"}`)
		}
	}))
	t.Cleanup(srv.Close)
	th.URL = srv.URL
	return th
}
