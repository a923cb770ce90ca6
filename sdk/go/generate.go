package imagegen

import "context"

// GenerateService holds the create calls; each returns the finished generation.
type GenerateService struct {
	t           *transport
	generations *GenerationsService
}

// TextToImage is TextToImageContext with context.Background().
func (s *GenerateService) TextToImage(req *TextToImageRequest, opts ...RequestOption) (*Generation, error) {
	return s.TextToImageContext(context.Background(), req, opts...)
}

// TextToImageContext is POST /api/v2/generate/text-to-image.
func (s *GenerateService) TextToImageContext(ctx context.Context, req *TextToImageRequest, opts ...RequestOption) (*Generation, error) {
	return s.create(ctx, "/api/v2/generate/text-to-image", req, opts)
}

// ImageToImage is ImageToImageContext with context.Background().
func (s *GenerateService) ImageToImage(req *ImageToImageRequest, opts ...RequestOption) (*Generation, error) {
	return s.ImageToImageContext(context.Background(), req, opts...)
}

// ImageToImageContext is POST /api/v2/generate/image-to-image.
func (s *GenerateService) ImageToImageContext(ctx context.Context, req *ImageToImageRequest, opts ...RequestOption) (*Generation, error) {
	return s.create(ctx, "/api/v2/generate/image-to-image", req, opts)
}

// Inpaint is InpaintContext with context.Background().
func (s *GenerateService) Inpaint(req *InpaintRequest, opts ...RequestOption) (*Generation, error) {
	return s.InpaintContext(context.Background(), req, opts...)
}

// InpaintContext is POST /api/v2/generate/inpaint.
func (s *GenerateService) InpaintContext(ctx context.Context, req *InpaintRequest, opts ...RequestOption) (*Generation, error) {
	return s.create(ctx, "/api/v2/generate/inpaint", req, opts)
}

// Variations is VariationsContext with context.Background().
func (s *GenerateService) Variations(req *CreateVariationsRequest, opts ...RequestOption) (*Generation, error) {
	return s.VariationsContext(context.Background(), req, opts...)
}

// VariationsContext is POST /api/v2/generate/variations.
func (s *GenerateService) VariationsContext(ctx context.Context, req *CreateVariationsRequest, opts ...RequestOption) (*Generation, error) {
	return s.create(ctx, "/api/v2/generate/variations", req, opts)
}

// create sends a generation create (the server de-duplicates it by Idempotency-Key, so a lost
// connection is retried too) and, unless WithRespondAsync, waits for a 202's generation to
// finish; a failed or canceled one is returned with its *Error.
func (s *GenerateService) create(ctx context.Context, path string, req any, opts []RequestOption) (*Generation, error) {
	o := collect(opts)
	var g Generation
	if err := s.t.call(ctx, exchange{method: "POST", path: path, body: req, create: true, retryNetwork: true}, o, &g); err != nil {
		return nil, err
	}
	if o.respondAsync {
		return &g, nil
	}
	result := &g
	if !IsTerminal(result) {
		var err error
		if result, err = s.generations.WaitContext(ctx, g.ID); err != nil {
			return nil, err
		}
	}
	return finished(result)
}
