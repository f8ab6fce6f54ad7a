"""kubesim checked with the real python `kubernetes` client (Debian's
python3-kubernetes): list, create, patch, watch with bookmarks, and the 410
Gone a client must handle by re-listing; all of it over plain HTTP and over
HTTPS with kubesim's generated CA and bearer token, plus the 401s and the
failed handshake of a client that does not trust that CA."""

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

KUBESIM = os.path.join(os.getcwd(), "tools/kubesim/kubesim")


class KubesimPythonClientTest(unittest.TestCase):
    KUBESIM_ARGS = []
    SCHEME = "http://"

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        kubeconfig = os.path.join(cls.dir, "kubeconfig")
        cls.proc = subprocess.Popen([KUBESIM, "--port", "0", "--kubeconfig-out", kubeconfig]
                                    + cls.KUBESIM_ARGS, stdout=subprocess.PIPE, text=True)
        line = cls.proc.stdout.readline()
        assert "serving on " + cls.SCHEME in line, line
        cls.api = config.new_client_from_config(config_file=kubeconfig)
        cls.core = client.CoreV1Api(cls.api)

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=10)

    def cm(self, name, labels=None):
        return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels or {}),
                                  data={"fe.conf": "http_port = 8030"})

    def test_list_create_get_patch(self):
        self.core.create_namespaced_config_map("default", self.cm("py-a", {"tier": "fe"}))
        self.core.create_namespaced_config_map("default", self.cm("py-b", {"tier": "be"}))
        names = [c.metadata.name for c in
                 self.core.list_namespaced_config_map("default", label_selector="tier=fe").items]
        self.assertEqual(names, ["py-a"])
        got = self.core.read_namespaced_config_map("py-a", "default")
        self.assertEqual(got.data["fe.conf"], "http_port = 8030")
        patched = self.core.patch_namespaced_config_map("py-a", "default", {"data": {"x": "1"}})
        self.assertEqual(patched.data["x"], "1")
        self.assertGreater(int(patched.metadata.resource_version), int(got.metadata.resource_version))
        with self.assertRaises(ApiException) as ctx:
            self.core.read_namespaced_config_map("nope", "default")
        self.assertEqual(ctx.exception.status, 404)
        with self.assertRaises(ApiException) as ctx:
            self.core.create_namespaced_config_map("default", self.cm("py-a"))
        self.assertEqual(ctx.exception.status, 409)

    def test_watch_sees_changes_and_bookmarks(self):
        rv = self.core.list_namespaced_config_map("default").metadata.resource_version
        self.core.create_namespaced_config_map("default", self.cm("py-w"))
        self.core.delete_namespaced_config_map("py-w", "default")
        seen = []
        w = watch.Watch()
        for ev in w.stream(self.core.list_namespaced_config_map, "default", resource_version=rv,
                           allow_watch_bookmarks=True, timeout_seconds=3):
            if ev["type"] == "BOOKMARK":
                seen.append(("BOOKMARK", ev["raw_object"]["metadata"]["resourceVersion"]))
                break
            seen.append((ev["type"], ev["object"].metadata.name))
        self.assertEqual(seen[:2], [("ADDED", "py-w"), ("DELETED", "py-w")])
        self.assertEqual(seen[-1][0], "BOOKMARK")

    def test_watch_from_an_expired_version_is_gone(self):
        rv = self.core.list_namespaced_config_map("default").metadata.resource_version
        self.core.create_namespaced_config_map("default", self.cm("py-old"))
        self.api.call_api("/kubesim/expire-history", "POST", response_type="object",
                          auth_settings=["BearerToken"], _return_http_data_only=True)
        with self.assertRaises(ApiException) as ctx:
            for _ in watch.Watch().stream(self.core.list_namespaced_config_map, "default",
                                          resource_version=rv, timeout_seconds=3):
                pass
        self.assertEqual(ctx.exception.status, 410)
        # Re-listing gives a fresh version that can be watched again.
        fresh = self.core.list_namespaced_config_map("default").metadata.resource_version
        self.assertGreaterEqual(int(fresh), int(rv))


class KubesimPythonClientTlsTest(KubesimPythonClientTest):
    """Everything above again, over HTTPS with CA verification and the token."""
    KUBESIM_ARGS = ["--tls"]
    SCHEME = "https://"

    def client_with(self, **changes):
        cfg = copy.deepcopy(self.api.configuration)
        for k, v in changes.items():
            setattr(cfg, k, v)
        return client.CoreV1Api(client.ApiClient(cfg))

    def test_verifies_the_ca_and_sends_the_token(self):
        cfg = self.api.configuration
        self.assertTrue(cfg.host.startswith("https://127.0.0.1:"), cfg.host)
        self.assertTrue(cfg.verify_ssl)
        self.assertTrue(cfg.ssl_ca_cert)
        self.assertRegex(cfg.api_key["authorization"], r"^Bearer [0-9a-f]{64}$")

    def assert_unauthorized(self, core):
        with self.assertRaises(ApiException) as ctx:
            core.list_namespace()
        self.assertEqual(ctx.exception.status, 401)
        body = json.loads(ctx.exception.body)
        self.assertEqual((body["kind"], body["reason"], body["code"]), ("Status", "Unauthorized", 401))

    def test_no_token_is_unauthorized(self):
        self.assert_unauthorized(self.client_with(api_key={}))

    def test_wrong_token_is_unauthorized(self):
        token = self.api.configuration.api_key["authorization"]
        self.assert_unauthorized(self.client_with(api_key={"authorization": token + "0"}))

    def test_client_without_the_ca_fails_the_handshake(self):
        # No ssl_ca_cert: the system's trust store, which has never heard of
        # kubesim's CA.
        core = self.client_with(ssl_ca_cert=None, retries=False)
        with self.assertRaises(Exception) as ctx:
            core.list_namespace()
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(ctx.exception))
        # The server shrugs the failed handshake off.
        self.assertTrue(self.core.list_namespace().items)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
