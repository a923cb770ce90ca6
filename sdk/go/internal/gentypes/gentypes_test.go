package gentypes

import "testing"

func TestGoName(t *testing.T) {
	for wire, want := range map[string]string{"image_url": "ImageURL", "id": "ID", "num_outputs": "NumOutputs", "nsfw_score": "NSFWScore", "request_id": "RequestID", "usd": "USD"} {
		if got := GoName(wire); got != want {
			t.Errorf("%s: %s, want %s", wire, got, want)
		}
	}
}
