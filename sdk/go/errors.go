package imagegen

import (
	"errors"
	"fmt"
	"time"
)

// Error is every failure of an API call: the REST error envelope (Status is the HTTP status,
// Code e.g. "UNAUTHORIZED", Type e.g. "authentication_error", RequestID to quote to support,
// Details e.g. {"field": "parameters.width"}), a generation that ended failed (its code, the
// status of the error table), or no answer at all (Status 0, Code "UNAVAILABLE", "TIMEOUT" or
// "CANCELED"; Unwrap gives the cause, so errors.Is(err, context.Canceled) works).
type Error struct {
	Status           int
	Code             string
	Type             string
	Message          string
	RequestID        string
	Details          map[string]any
	DocumentationURL string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	cause      error
}

func (e *Error) Error() string {
	if e.RequestID != "" {
		return fmt.Sprintf("imagegen: %s (%d): %s [request %s]", e.Code, e.Status, e.Message, e.RequestID)
	}
	return fmt.Sprintf("imagegen: %s (%d): %s", e.Code, e.Status, e.Message)
}

// Unwrap returns the network or context error behind a Status 0 error.
func (e *Error) Unwrap() error { return e.cause }

// errorFromCode is an Error for code with the status and type of the contract's error table.
func errorFromCode(code, message string) *Error {
	row, ok := errorTable[code]
	if !ok {
		row.Status, row.Type = 500, "server_error"
	}
	return &Error{Status: row.Status, Code: code, Type: row.Type, Message: message, Details: map[string]any{}}
}

// AsError returns err as an *Error when it is one (or wraps one).
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ErrWebhookVerification is wrapped by every VerifyWebhook failure: do not trust that body.
var ErrWebhookVerification = errors.New("imagegen: webhook verification failed")
