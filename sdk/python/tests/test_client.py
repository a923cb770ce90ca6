import json
import os
import time
import unittest
from unittest import mock

from imagegen import ImageGenClient, ImageGenError
from imagegen._transport import parse_retry_after
from scripted_server import ScriptedServer, envelope, generation, json_answer, sse


class ClientTest(unittest.TestCase):
    def serve(self, answers):
        server = ScriptedServer(answers)
        self.addCleanup(server.close)
        return server, ImageGenClient(api_key="k_test", base_url=server.url + "/")

    def test_seed_call_sends_snake_case_with_key_and_idempotency_key(self):
        server, client = self.serve([json_answer(200, generation())])
        result = client.generate.text_to_image(prompt="A serene mountain landscape", model="stable-diffusion-xl", parameters={"width": 1024, "height": 1024, "num_outputs": 2}, metadata={"userId": "kept"})
        request = server.requests[0]
        self.assertEqual(request["method"], "POST")
        self.assertEqual(request["path"], "/api/v2/generate/text-to-image")
        self.assertEqual(request["headers"]["authorization"], "Bearer k_test")
        self.assertRegex(request["headers"]["idempotency-key"], r"^sdk_[0-9a-f]{32}$")
        self.assertEqual(server.body(0), {"prompt": "A serene mountain landscape", "model": "stable-diffusion-xl", "parameters": {"width": 1024, "height": 1024, "num_outputs": 2}, "metadata": {"userId": "kept"}})
        self.assertEqual(result.images[0].url, "http://x/1.png")
        self.assertEqual(result["images"][0]["width"], 64)
        self.assertEqual(json.loads(json.dumps(result))["id"], "gen_1")
        with self.assertRaises(AttributeError):
            result.no_such_field

    def test_each_create_gets_its_own_key_or_the_callers(self):
        server, client = self.serve([json_answer(200, generation()) for _ in range(3)])
        client.generate.text_to_image(prompt="a")
        client.generate.text_to_image({"prompt": "a"})
        client.generate.text_to_image(prompt="a", idempotency_key="mine-1")
        keys = [r["headers"]["idempotency-key"] for r in server.requests]
        self.assertEqual(len(set(keys)), 3)
        self.assertEqual(keys[2], "mine-1")

    def test_paths_and_queries(self):
        server, client = self.serve([json_answer(200, {"generations": []}), json_answer(200, {"model": {"id": "a b"}}), json_answer(200, {"gallery": {"items": []}}), (204, {}, b"")])
        client.generations.list(page_size=10, status="processing")
        self.assertEqual(client.models.get("a b").model.id, "a b")
        client.gallery.list(limit=5, tags=["landscape", "nature"], date_from="2024-01-01")
        self.assertIsNone(client.collections.delete("col_1"))
        self.assertEqual([f"{r['method']} {r['path']}" for r in server.requests], [
            "GET /api/v2/generations?page_size=10&status=processing",
            "GET /api/v2/models/a%20b",
            "GET /api/v2/gallery?limit=5&tags=landscape%2Cnature&date_from=2024-01-01",
            "DELETE /api/v2/collections/col_1",
        ])
        self.assertTrue(all("idempotency-key" not in r["headers"] for r in server.requests))

    def test_environment_gives_key_and_server(self):
        server = ScriptedServer([json_answer(200, {"user": {"id": "u"}})])
        self.addCleanup(server.close)
        with mock.patch.dict(os.environ, {"IMAGEGEN_API_KEY": "k_env", "IMAGEGEN_BASE_URL": server.url}):
            self.assertEqual(ImageGenClient().user.profile().user.id, "u")
        self.assertEqual(server.requests[0]["headers"]["authorization"], "Bearer k_env")

    def test_no_key_is_refused(self):
        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaisesRegex(ValueError, "api_key is required"):
                ImageGenClient()


class ErrorTest(unittest.TestCase):
    def serve(self, answers, **options):
        server = ScriptedServer(answers)
        self.addCleanup(server.close)
        return server, ImageGenClient(api_key="k", base_url=server.url, **options)

    def test_envelope_fields(self):
        _, client = self.serve([envelope(400, "INVALID_REQUEST", "validation_error", details={"field": "parameters.width", "reason": "int64.multiple_of"})])
        with self.assertRaises(ImageGenError) as caught:
            client.generate.text_to_image(prompt="p", parameters={"width": 100})
        error = caught.exception
        self.assertEqual((error.status, error.code, error.type, error.request_id), (400, "INVALID_REQUEST", "validation_error", "req_abc"))
        self.assertEqual(error.details["field"], "parameters.width")

    def test_bare_status_without_envelope(self):
        _, client = self.serve([(502, {"X-Request-ID": "req_proxy"}, b"<html>bad gateway</html>")])
        with self.assertRaises(ImageGenError) as caught:
            client.models.list()
        self.assertEqual((caught.exception.status, caught.exception.code, caught.exception.request_id), (502, "UPSTREAM_UNAVAILABLE", "req_proxy"))

    def test_failed_generation_raises_its_code(self):
        _, client = self.serve([json_answer(200, generation(status="failed", images=[], error={"reason": "content_policy", "message": "refused"}))])
        with self.assertRaises(ImageGenError) as caught:
            client.generate.text_to_image(prompt="p")
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "CONTENT_POLICY"))

    def test_unreachable_server_is_status_0_unavailable(self):
        server, _ = self.serve([])
        url = server.url
        server.close()
        with self.assertRaises(ImageGenError) as caught:
            ImageGenClient(api_key="k", base_url=url, max_retries=0).collections.create(name="c")
        self.assertEqual((caught.exception.status, caught.exception.code), (0, "UNAVAILABLE"))


class RetryTest(unittest.TestCase):
    def serve(self, answers, **options):
        server = ScriptedServer(answers)
        self.addCleanup(server.close)
        return server, ImageGenClient(api_key="k", base_url=server.url, **options)

    def test_429_waits_retry_after_and_resends_the_same_key(self):
        server, client = self.serve([envelope(429, "RATE_LIMITED", "rate_limit_error", {"Retry-After": "1"}), json_answer(200, generation())])
        started = time.monotonic()
        self.assertEqual(client.generate.text_to_image(prompt="p").id, "gen_1")
        waited = time.monotonic() - started
        self.assertGreaterEqual(waited, 0.95)
        self.assertLess(waited, 3)
        self.assertEqual(server.requests[0]["headers"]["idempotency-key"], server.requests[1]["headers"]["idempotency-key"])
        self.assertEqual(server.requests[0]["body"], server.requests[1]["body"])

    def test_503_gives_up_after_max_retries(self):
        server, client = self.serve([envelope(503, "UNAVAILABLE", "service_unavailable") for _ in range(3)])
        with self.assertRaises(ImageGenError) as caught:
            client.models.list()
        self.assertEqual(len(server.requests), 3)
        self.assertEqual(caught.exception.status, 503)

    def test_long_retry_after_is_raised_at_once(self):
        server, client = self.serve([envelope(429, "RATE_LIMITED", "rate_limit_error", {"Retry-After": "3600"})])
        with self.assertRaises(ImageGenError) as caught:
            client.generate.text_to_image(prompt="p")
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(caught.exception.retry_after_seconds, 3600)

    def test_other_statuses_are_not_retried(self):
        server, client = self.serve([envelope(500, "INTERNAL", "server_error")])
        with self.assertRaises(ImageGenError):
            client.generate.text_to_image(prompt="p")
        self.assertEqual(len(server.requests), 1)

    def test_retry_after_forms(self):
        now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
        self.assertEqual(parse_retry_after("3", now), 3)
        self.assertEqual(parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now), 10)
        self.assertIsNone(parse_retry_after("soon", now))
        self.assertIsNone(parse_retry_after(None, now))


class GenerationsTest(unittest.TestCase):
    def serve(self, answers):
        server = ScriptedServer(answers)
        self.addCleanup(server.close)
        return server, ImageGenClient(api_key="k", base_url=server.url)

    pending = generation(status="processing", images=[], progress=0)

    def test_watch_yields_events_until_the_last(self):
        server, client = self.serve([sse([("started", {"type": "started", "generation": self.pending}), ("completed", {"type": "completed", "generation": generation()})])])
        events = list(client.generations.watch("gen_1"))
        self.assertEqual([e.type for e in events], ["started", "completed"])
        self.assertEqual(events[1].generation.images[0].url, "http://x/1.png")
        self.assertEqual(server.requests[0]["path"], "/api/v2/generations/gen_1:watch")
        self.assertEqual(server.requests[0]["headers"]["accept"], "text/event-stream")

    def test_error_event_raises(self):
        _, client = self.serve([sse([("error", {"error": {"code": "NOT_FOUND", "message": "no generation"}})])])
        with self.assertRaises(ImageGenError) as caught:
            list(client.generations.watch("gen_x"))
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "NOT_FOUND"))

    def test_create_answered_202_is_waited_for(self):
        server, client = self.serve([json_answer(202, self.pending), sse([("completed", {"type": "completed", "generation": generation()})])])
        self.assertEqual(client.generate.text_to_image(prompt="p").status, "completed")
        self.assertEqual([r["path"] for r in server.requests], ["/api/v2/generate/text-to-image", "/api/v2/generations/gen_1:watch"])

    def test_respond_async_returns_the_pending_generation(self):
        server, client = self.serve([json_answer(202, self.pending)])
        self.assertEqual(client.generate.text_to_image(prompt="p", respond_async=True).status, "processing")
        self.assertEqual(server.requests[0]["headers"]["prefer"], "respond-async")

    def test_wait_resumes_after_a_stream_that_ends_early(self):
        server, client = self.serve([sse([("started", {"type": "started", "generation": self.pending})]), json_answer(202, self.pending), sse([("completed", {"type": "completed", "generation": generation()})])])
        self.assertEqual(client.generations.wait("gen_1").status, "completed")
        self.assertEqual([r["path"] for r in server.requests], ["/api/v2/generations/gen_1:watch", "/api/v2/generations/gen_1", "/api/v2/generations/gen_1:watch"])

    def test_wait_times_out(self):
        _, client = self.serve([sse([("started", {"type": "started", "generation": self.pending})]), json_answer(202, self.pending)] * 5)
        with self.assertRaises(ImageGenError) as caught:
            client.generations.wait("gen_1", timeout=0.5)
        self.assertEqual(caught.exception.code, "TIMEOUT")


if __name__ == "__main__":
    unittest.main()
