"""kubesim checked with the real python `kubernetes` client (Debian's
python3-kubernetes): list, create, patch, watch with bookmarks, and the 410
Gone a client must handle by re-listing."""

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
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        kubeconfig = os.path.join(cls.dir, "kubeconfig")
        cls.proc = subprocess.Popen([KUBESIM, "--port", "0", "--kubeconfig-out", kubeconfig],
                                    stdout=subprocess.PIPE, text=True)
        line = cls.proc.stdout.readline()
        assert "serving on" in line, line
        config.load_kube_config(config_file=kubeconfig)
        cls.core = client.CoreV1Api()
        cls.api = client.ApiClient()

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
                          _return_http_data_only=True)
        with self.assertRaises(ApiException) as ctx:
            for _ in watch.Watch().stream(self.core.list_namespaced_config_map, "default",
                                          resource_version=rv, timeout_seconds=3):
                pass
        self.assertEqual(ctx.exception.status, 410)
        # Re-listing gives a fresh version that can be watched again.
        fresh = self.core.list_namespaced_config_map("default").metadata.resource_version
        self.assertGreaterEqual(int(fresh), int(rv))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
