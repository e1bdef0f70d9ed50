package miner

import (
	"context"
	"fmt"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/types"
)

// Request is an authenticated request as a Handler sees it.
type Request struct {
	// ID is the request id the response signature binds.
	ID types.Hash
	// Caller is the verified validator, as the metagraph knows it.
	Caller axon.NeuronInfo
	// Body is the exact request body (at most Config.MaxRequestBytes).
	Body []byte
}

// Handler serves one synapse: the miner side of a subnet task.
type Handler interface {
	// Synapse is the name the handler is served under (/synapse/<name>);
	// it must satisfy axon.ValidSynapseName.
	Synapse() string
	// Serve answers req with a value the server encodes as JSON. Errors
	// wrapping ErrBadRequest answer 400; a missed deadline 504; any other
	// error 500 (its text is logged, not sent).
	Serve(ctx context.Context, req *Request) (any, error)
}

// NewHandler builds a Handler from a body decoder and a function: the
// usual shape of a task.
func NewHandler[Req, Resp any](synapse string, decode func([]byte) (Req, error), serve func(context.Context, axon.NeuronInfo, Req) (Resp, error)) Handler {
	return &funcHandler[Req, Resp]{synapse, decode, serve}
}

type funcHandler[Req, Resp any] struct {
	synapse string
	decode  func([]byte) (Req, error)
	serve   func(context.Context, axon.NeuronInfo, Req) (Resp, error)
}

func (h *funcHandler[Req, Resp]) Synapse() string { return h.synapse }

func (h *funcHandler[Req, Resp]) Serve(ctx context.Context, req *Request) (any, error) {
	in, err := h.decode(req.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	return h.serve(ctx, req.Caller, in)
}
